/** The primitive set every backend implements ({@link facegen.engine.ops.Op}) and its value types. */
package facegen.engine.ops;
