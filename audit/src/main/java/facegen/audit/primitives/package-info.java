/**
 * The primitive rows of the audit, one catalogue per family of {@link facegen.engine.ops.Op}: inputs with fixed
 * seeds and domain-safe values, the engine function, libtorch's equivalent, and which derivatives are checked.
 * Shapes stay small (conv C &lt;= 6, H, W &lt;= 7) so both backends run in well under a minute.
 */
package facegen.audit.primitives;
