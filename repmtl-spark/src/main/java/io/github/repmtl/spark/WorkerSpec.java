package io.github.repmtl.spark;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.regularizer.RegularizerPlacement;
import io.github.repmtl.samediff.regularizer.RepMtl;
import io.github.repmtl.samediff.strategy.GradientMode;
import io.github.repmtl.samediff.train.TrainingGraph;

import java.io.Serializable;

/**
 * What an executor needs to prepare the driver's training graph for itself, broadcast once per run: the model
 * before preparation, Rep-MTL's configuration, its placement and the strategy's gradient mode.
 */
record WorkerSpec(String runId, ModelShipment model, RepMtl repMtl, RegularizerPlacement placement, GradientMode mode) implements Serializable {
    /** A newly prepared graph of this run. */
    TrainingGraph prepare() {
        MultiTaskModel m = model.load();
        return TrainingGraph.prepare(m, repMtl, placement, mode);
    }
}
