package facegen.engine.backend;

import facegen.engine.tensor.Shape;

/** One input of a primitive as a backend sees it: contiguous row-major storage and its shape. */
public record Operand(Storage storage, Shape shape) {}
