package facegen.audit;

/** What the audit does with one order of derivative of a case. */
public enum Derivative {
    /** Compared with float64 central differences; the row shows the error. */
    CHECKED,
    /**
     * Not compared with central differences because they are meaningless there: the function is piecewise
     * constant (masks) or is evaluated exactly at a tie or kink. The row shows n/a.
     */
    NOT_DIFFERENTIABLE,
    /**
     * The engine deliberately throws UnsupportedOperationException from DerivativeRules for this derivative.
     * The audit checks that it still does (a silently returned value would fail the row) and shows n/a.
     */
    ENGINE_GAP,
    /**
     * Not compared because no training objective takes this derivative (the face losses' second derivative: they
     * backpropagate to the image once); the row shows n/a and says so.
     */
    NOT_NEEDED
}
