package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.StatisticUpdate;
import io.github.repmtl.samediff.model.TaskHeads;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.nn.LayerContext;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Objects;

/**
 * Hard-parameter-sharing DeepLab for NYUv2 and Cityscapes, as in LibMTL and the Rep-MTL paper: a dilated
 * ResNet-50 trunk with output stride 8 ({@code 2048 x 36 x 48} for {@code 288 x 384}) whose output is the
 * shared representation {@code Z}, and one {@link DeepLabHead} per task, upsampled to the input size.
 * Defaults: NYUv2 ({@code 3x288x384}; {@code segmentation} 13 classes, {@code depth}, {@code normal} with
 * L2-normalised output); {@link Builder#cityscapes()} switches to {@code 3x128x256}, segmentation 7 classes
 * and depth. The input height and width must be multiples of 8.
 */
public final class HpsDeepLab {
    private HpsDeepLab() {}

    public static Builder builder() { return new Builder(); }

    /** Configures an {@link HpsDeepLab}. */
    public static final class Builder extends HpsModelBuilder<Builder> {
        private ResNetTrunk trunk;

        private Builder() {
            super(3, 288, 384, List.of(TaskSpec.segmentation("segmentation", 13), TaskSpec.depth("depth"), TaskSpec.normal("normal")));
        }

        /** Cityscapes defaults: {@code 3x128x256}, segmentation with 7 classes and depth. */
        public Builder cityscapes() {
            inputShape(3, 128, 256);
            return tasks(List.of(TaskSpec.segmentation("segmentation", 7), TaskSpec.depth("depth")));
        }

        /** A configured trunk (e.g. with pretrained weights); it must be a ResNet with output stride 8. */
        public Builder trunk(ResNetTrunk trunk) { this.trunk = Objects.requireNonNull(trunk); return this; }

        @Override
        public MultiTaskModel init() {
            validateTasks("HpsDeepLab");
            for (TaskSpec t : tasks) TaskKindCheck.requireKind(t, true, "HpsDeepLab");
            if (channels != 3) throw new IllegalArgumentException("HpsDeepLab takes RGB input (3 channels), got " + channels);
            if (height % 8 != 0 || width % 8 != 0)
                throw new IllegalArgumentException("HpsDeepLab input height and width must be multiples of 8, got " + height + "x" + width);
            ResNetTrunk resnet = trunk != null ? trunk : ResNetTrunk.builder(ResNetTrunk.Depth.RESNET50).outputStride(8).build();
            if (resnet.outputStride() != 8) throw new IllegalArgumentException("HpsDeepLab needs a trunk with output stride 8, got " + resnet.outputStride());
            ResNetTrunk.FeatureMap fm = resnet.outputShape(height, width);

            SameDiff sd = SameDiff.create();
            LayerContext ctx = LayerContext.create(sd, dataType, seed);
            SDVariable x = sd.placeHolder(ModelNames.INPUT, dataType, -1, channels, height, width);
            SDVariable f = sd.identity(ModelNames.TRUNK_OUTPUT, resnet.apply(ctx, x, height, width));
            SDVariable z = sd.identity(ModelNames.SHARED, f);

            MultiTaskModel.Builder model = MultiTaskModel.builder(sd);
            for (TaskSpec t : tasks) {
                DeepLabHead head = new DeepLabHead(fm.channels(), t.outputs(), (int) fm.height(), (int) fm.width(), height, width, dropoutLayer(0.5));
                TaskHeads.attach(sd, t, head.apply(ctx, t.name(), z), height, width);
                model.task(t, ModelNames.INPUT, ModelNames.SHARED, ModelNames.output(t.name()), ModelNames.label(t.name()), ModelNames.loss(t.name()));
            }
            model.trainingFlag(LayerContext.TRAINING_FLAG);
            for (StatisticUpdate u : ctx.statisticUpdates()) model.statisticUpdate(u);
            return model.build();
        }
    }
}
