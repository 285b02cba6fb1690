package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.model.TaskHeads;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.nn.Conv2d;
import io.github.repmtl.samediff.nn.LayerContext;
import io.github.repmtl.samediff.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;

/**
 * Hard-parameter-sharing SegNet for NYUv2 as used by MTAN, Nash-MTL and CAGrad: the {@link SegNetTrunk}
 * encoder-decoder's output {@code [B, 64, H, W]} is the shared representation {@code Z}; each task's head is a
 * 3x3 convolution to 64 channels followed by a 1x1 convolution to the task's channels (both with bias).
 * Defaults: {@code 3x288x384}, {@code segmentation} 13 classes, {@code depth}, {@code normal}.
 */
public final class HpsSegNet {
    private HpsSegNet() {}

    public static Builder builder() { return new Builder(); }

    /** Configures an {@link HpsSegNet}. */
    public static final class Builder extends HpsModelBuilder<Builder> {
        private Builder() {
            super(3, 288, 384, List.of(TaskSpec.segmentation("segmentation", 13), TaskSpec.depth("depth"), TaskSpec.normal("normal")));
        }

        @Override
        public MultiTaskModel init() {
            validateTasks("HpsSegNet");
            for (TaskSpec t : tasks) TaskKindCheck.requireKind(t, true, "HpsSegNet");
            SameDiff sd = SameDiff.create();
            LayerContext ctx = LayerContext.create(sd, dataType, seed);
            SegNetTrunk trunk = new SegNetTrunk(channels);
            SDVariable x = sd.placeHolder(ModelNames.INPUT, dataType, -1, channels, height, width);
            SDVariable f = sd.identity(ModelNames.TRUNK_OUTPUT, trunk.apply(ctx, x, height, width));
            SDVariable z = sd.identity(ModelNames.SHARED, f);
            int c = trunk.outputChannels();

            MultiTaskModel.Builder model = MultiTaskModel.builder(sd);
            for (TaskSpec t : tasks) {
                SDVariable h = Conv2d.builder(c, c).kernel(3).padding(1).weightInit(WeightInit.xavierNormal()).biasInit(WeightInit.constant(0))
                        .build().apply(ctx, t.name() + "/conv1", z);
                SDVariable pred = Conv2d.builder(c, t.outputs()).kernel(1).weightInit(WeightInit.xavierNormal()).biasInit(WeightInit.constant(0))
                        .build().apply(ctx, t.name() + "/conv2", h);
                TaskHeads.attach(sd, t, pred, height, width);
                model.task(t, ModelNames.INPUT, ModelNames.SHARED, ModelNames.output(t.name()), ModelNames.label(t.name()), ModelNames.loss(t.name()));
            }
            model.trainingFlag(LayerContext.TRAINING_FLAG);
            for (StatisticUpdate u : ctx.statisticUpdates()) model.statisticUpdate(u);
            return model.build();
        }
    }
}
