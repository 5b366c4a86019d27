/**
 * The layer rows of the audit: nn's compositions (modulated conv, upfirdn2d, minibatch stddev, equalised linear,
 * bias + lrelu + clamp, the R1 penalty) checked like primitives, with stylegan2-ada-pytorch's reference code in
 * libtorch as the second oracle.
 */
package facegen.audit.layers;
