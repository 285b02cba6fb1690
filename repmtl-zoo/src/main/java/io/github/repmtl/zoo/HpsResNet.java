package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.model.TaskHeads;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.nn.BatchNorm;
import io.github.repmtl.samediff.nn.Dense;
import io.github.repmtl.samediff.nn.LayerContext;
import io.github.repmtl.samediff.nn.Pooling;
import io.github.repmtl.samediff.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Objects;

/**
 * Hard-parameter-sharing ResNet for Office-31 / Office-Home, as LibMTL defines it: a ResNet-18/34/50
 * {@link ResNetTrunk}, global average pooling, then {@code Linear(512) + BatchNorm1d + ReLU + Dropout(0.5)} as
 * the shared representation {@code Z [B, 512]} (weights {@code N(0, 0.005)}, bias 0.1), and one linear head per
 * task. Defaults: ResNet-18, input {@code 3x224x224} (any size of at least 32x32 works), the Office-31 domains
 * {@code amazon}, {@code dslr}, {@code webcam} with 31 classes, single input.
 *
 * <p>In multi-input mode (LibMTL's setting for the Office benchmarks) each task has its own input
 * {@code input/TASK} and representation {@code Z/TASK}; the trunk's weights are shared and each input is
 * normalised with its own batch statistics, the running statistics being updated once per input, in task
 * order.
 */
public final class HpsResNet {
    /** Size of the shared representation. */
    public static final int REPRESENTATION = 512;

    private HpsResNet() {}

    public static Builder builder() { return new Builder(); }

    /** Configures an {@link HpsResNet}. */
    public static final class Builder extends HpsModelBuilder<Builder> {
        private ResNetTrunk.Depth depth = ResNetTrunk.Depth.RESNET18;
        private boolean multiInput;
        private ResNetTrunk trunk;

        private Builder() {
            super(3, 224, 224, List.of(TaskSpec.classification("amazon", 31), TaskSpec.classification("dslr", 31),
                    TaskSpec.classification("webcam", 31)));
        }

        /** ResNet-18 (default), -34 or -50. */
        public Builder depth(ResNetTrunk.Depth depth) { this.depth = Objects.requireNonNull(depth); return this; }

        /** One input per task (domain-shift benchmarks) instead of one shared input. */
        public Builder multiInput(boolean multiInput) { this.multiInput = multiInput; return this; }

        /** A fully configured trunk (e.g. with pretrained weights); overrides {@link #depth}. */
        public Builder trunk(ResNetTrunk trunk) { this.trunk = Objects.requireNonNull(trunk); return this; }

        @Override
        public MultiTaskModel init() {
            validateTasks("HpsResNet");
            for (TaskSpec t : tasks) TaskKindCheck.requireKind(t, false, "HpsResNet");
            if (channels != 3) throw new IllegalArgumentException("HpsResNet takes RGB input (3 channels), got " + channels);
            ResNetTrunk resnet = trunk != null ? trunk : ResNetTrunk.builder(depth).build();
            resnet.outputShape(height, width);                                   // validates the input size
            SameDiff sd = SameDiff.create();
            LayerContext root = LayerContext.create(sd, dataType, seed);
            int features = resnet.depth().outputChannels();
            Dense bottleneck = Dense.builder(features, REPRESENTATION).weightInit(WeightInit.normal(0, 0.005))
                    .biasInit(WeightInit.constant(0.1)).build();
            BatchNorm bn = BatchNorm.builder(REPRESENTATION).build();

            MultiTaskModel.Builder model = MultiTaskModel.builder(sd);
            SDVariable sharedZ = null;
            for (TaskSpec t : tasks) {
                String input = multiInput ? ModelNames.input(t.name()) : ModelNames.INPUT;
                String shared = multiInput ? ModelNames.shared(t.name()) : ModelNames.SHARED;
                if (multiInput || sharedZ == null) {
                    LayerContext ctx = multiInput ? root.forInstance("/" + t.name()) : root;
                    SDVariable x = sd.placeHolder(input, dataType, -1, channels, height, width);
                    SDVariable f = sd.identity(multiInput ? ModelNames.trunkOutput(t.name()) : ModelNames.TRUNK_OUTPUT, resnet.apply(ctx, x, height, width));
                    SDVariable h = bottleneck.apply(ctx, "shared/fc", Pooling.globalAverage().apply(f));
                    h = sd.nn().relu(bn.apply(ctx, "shared/bn", h, 2), 0);
                    sharedZ = sd.identity(shared, dropoutLayer(0.5).apply(ctx, "shared/dropout", h));
                }
                SDVariable logits = Dense.builder(REPRESENTATION, t.outputs()).build().apply(root, t.name() + "/fc", sharedZ);
                TaskHeads.attach(sd, t, logits, 0, 0);
                model.task(t, input, shared, ModelNames.output(t.name()), ModelNames.label(t.name()), ModelNames.loss(t.name()));
            }
            if (root.hasTrainingFlag()) model.trainingFlag(LayerContext.TRAINING_FLAG);
            for (StatisticUpdate u : root.statisticUpdates()) model.statisticUpdate(u);
            return model.build();
        }
    }
}
