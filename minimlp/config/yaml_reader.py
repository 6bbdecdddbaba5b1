"""YAML with bounded work: a few hundred bytes cannot make minimlp spend minutes or gigabytes.

Aliases let a tiny file describe a huge value (the "billion laughs" pattern:
each level repeats the one before ten times), and deep nesting exhausts
Python's recursion.  This loader measures every node as it is composed: how
many values it holds once its aliases are expanded and how deeply it nests,
and stops (a YAML error at that node's line) beyond MAX_VALUES or MAX_DEPTH.
Composing is linear in the file's size, so a config costs time and memory in
proportion to its size.  Reads 1e-3 (no dot) as a float, as YAML 1.2 does.
A key given twice in one mapping (``lr`` twice, or ``1`` and ``1.0``) is an
error naming both lines, not silently the last one (PyYAML's default).
"""
import re

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

MAX_DEPTH = 64  # a config nests 3 or 4 levels
MAX_VALUES = 200_000  # values after alias expansion; a config holds a few dozen


class BoundedLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses more than MAX_VALUES values (aliases expanded) or MAX_DEPTH levels."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._measured = {}  # id(node) -> (values, depth), aliases expanded

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_scalar_node(self, anchor):
        node = super().compose_scalar_node(anchor)
        self._measured[id(node)] = (1, 1)
        return node

    def compose_sequence_node(self, anchor):
        node = super().compose_sequence_node(anchor)
        self._measure(node, node.value)
        return node

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        self._measure(node, [child for pair in node.value for child in pair])
        return node

    def _measure(self, node, children):
        values, depth = 1, 1
        for child in children:
            if id(child) not in self._measured:  # an alias to a collection that holds it
                raise ComposerError(None, None, "an alias refers to a collection that contains it", node.start_mark)
            child_values, child_depth = self._measured[id(child)]
            values, depth = values + child_values, max(depth, child_depth + 1)
        if values > MAX_VALUES:
            raise ComposerError(None, None, f"its aliases expand to more than {MAX_VALUES:,} values",
                                node.start_mark)
        if depth > MAX_DEPTH:
            raise ComposerError(None, None, f"its aliases expand to nesting deeper than {MAX_DEPTH} levels",
                                node.start_mark)
        self._measured[id(node)] = (values, depth)

    def construct_mapping(self, node, deep=False):
        """SafeLoader's mapping, refusing a key given twice in it (merge keys ``<<`` may be overridden)."""
        if isinstance(node, yaml.MappingNode):
            _check_unique_keys(self, node)
        return super().construct_mapping(node, deep=deep)


def _check_unique_keys(loader, node):
    seen = {}  # key -> its node
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.setdefault(key, key_node)
        except TypeError:  # an unhashable key: SafeLoader refuses it itself
            continue
        if first is not key_node:
            shown = _written(first)
            if _written(key_node) != shown:
                shown += f" (again as {_written(key_node)})"
            raise ConstructorError(None, None, f"the key {shown} is given twice in one mapping, on line "
                                   f"{first.start_mark.line + 1} and line {key_node.start_mark.line + 1}; "
                                   "keep one", key_node.start_mark)


def _written(node):
    text = node.value if isinstance(node, yaml.ScalarNode) else f"a {node.id}"
    return text if len(text) <= 40 else text[:40] + "..."


BoundedLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def parse_yaml(text):
    """The value of one YAML document (safe tags only), or a yaml.YAMLError."""
    return yaml.load(text, Loader=BoundedLoader)
