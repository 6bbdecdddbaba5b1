"""The numerical core: dense layers and activations, the fused softmax + cross-entropy
output layer, initializers and optimizers. Imports numpy only."""
