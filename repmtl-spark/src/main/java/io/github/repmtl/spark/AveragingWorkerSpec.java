package io.github.repmtl.spark;

import io.github.repmtl.samediff.regularizer.RegularizerPlacement;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.strategy.MultiTaskStrategy;
import io.github.repmtl.samediff.train.MultiTaskTrainer;
import io.github.repmtl.samediff.train.Optimizer;
import org.apache.commons.lang3.SerializationUtils;

import java.io.Serializable;

/**
 * What an executor needs to build a parameter-averaging worker, broadcast once per run: the model before
 * preparation, the driver trainer's step configuration (Rep-MTL and its placement, the strategy as serialized bytes so
 * that every worker gets its own instance, the gradient mode, the optimiser) and the run's seed.
 */
record AveragingWorkerSpec(String runId, ModelShipment model, RepMtl repMtl, RegularizerPlacement placement, byte[] strategy, GradientMode mode,
                           Optimizer optimizer, long seed) implements Serializable {
    static AveragingWorkerSpec of(String runId, ModelShipment model, MultiTaskTrainer.Builder b) {
        return new AveragingWorkerSpec(runId, model, b.repMtl(), b.regularizerPlacement(), b.strategy() == null ? null : SerializationUtils.serialize(b.strategy()),
                b.resolvedGradientMode(), b.optimizer(), b.seed());
    }

    /**
     * A worker trainer for partition {@code k}: the driver's configuration with seed {@code seed + k * 0x9E3779B97F4A7C15}
     * (partition 0 draws the driver's dropout masks, so one worker is the single-machine run).
     */
    MultiTaskTrainer prepare(int k) {
        MultiTaskStrategy s = strategy == null ? null : SerializationUtils.deserialize(strategy);
        return MultiTaskTrainer.builder(model.load()).repMtl(repMtl).regularizerPlacement(placement).strategy(s).gradientMode(s == null ? null : mode)
                .optimizer(optimizer).seed(seed + k * 0x9E3779B97F4A7C15L).build();
    }
}
