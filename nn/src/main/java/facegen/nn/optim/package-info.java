/**
 * Optimizers and weight averaging: {@link facegen.nn.optim.Adam} (StyleGAN2: betas (0, 0.99), eps 1e-8, with the
 * lazy-regularisation adjustment of appendix B), {@link facegen.nn.optim.Sgd}, and {@link facegen.nn.optim.Ema}
 * (G_ema). Updates run without recording a graph and replace each parameter's leaf.
 */
package facegen.nn.optim;
