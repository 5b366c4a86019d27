/**
 * The gradient audit: proof that every primitive's forward and backward math is right.
 *
 * <p>Each {@link facegen.audit.AuditCase} is a function f: List&lt;Tensor&gt; -&gt; Tensor on fixed-seed inputs. Its row
 * holds four numbers: the first-order check (the VJP of the checked scalar L = sum(f(x) * r) on the backend under
 * test against float64 central differences on the reference backend), the second-order check (the same for
 * S = sum_i sum(dL/dx_i * v_i), with the seed r as an input too, as torch's gradgradcheck), and libtorch's
 * forward value and VJP on the same inputs. {@link facegen.audit.Tolerances} holds every threshold.
 */
package facegen.audit;
