/**
 * Multi-task loss-weighting and gradient-manipulation strategies on plain {@code double} arrays, independent of
 * SameDiff: {@link io.github.repmtl.samediff.strategy.MultiTaskStrategy} (one per method, created through
 * {@link io.github.repmtl.samediff.strategy.Strategies}), fed a
 * {@link io.github.repmtl.samediff.strategy.StepContext} and answering an
 * {@link io.github.repmtl.samediff.strategy.Aggregation}.
 *
 * <p>Conventions, shared by all methods:
 * <ul>
 *   <li>Scale: LibMTL's (the library the Rep-MTL paper's baselines come from). EW is the sum of the losses;
 *       PCGrad, GradVac, UPGrad and Aligned-MTL sum over tasks; MGDA, IMTL-G and CAGrad combine with weights
 *       summing to 1 (CAGrad additionally divided by {@code 1 + c^2} by default); Nash-MTL clips to norm 1.
 *       TorchJD averages where LibMTL sums; the tests state the factor wherever they compare.</li>
 *   <li>Task-specific parameters: as in LibMTL, weighted by {@link io.github.repmtl.samediff.strategy.Aggregation#weights()}:
 *       the loss weights for loss-weighting methods, 1 for gradient surgery (MGDA, PCGrad, GradDrop, GradVac,
 *       IMTL-G, CAGrad, MoCo, Aligned-MTL, UPGrad, GradNorm), and the method's own weights for Nash-MTL, FairGrad,
 *       IMTL and DB-MTL.</li>
 *   <li>Losses are the terms the trainer minimises; methods that take logs or ratios of them (GLS, DWA, STCH,
 *       FAMO, DB-MTL, MoCo, GradNorm) need non-negative or positive losses and reject a log-transformed input.</li>
 *   <li>LibMTL's absolute {@code 1e-8} guards on gradient norms are replaced by exact zero checks, so directions
 *       scale exactly with the gradients; guards on losses are kept.</li>
 * </ul>
 */
package io.github.repmtl.samediff.strategy;
