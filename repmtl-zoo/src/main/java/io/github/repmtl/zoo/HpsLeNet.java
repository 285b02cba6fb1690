package io.github.repmtl.zoo;

import io.github.repmtl.samediff.model.MultiTaskModel;
import io.github.repmtl.samediff.model.TaskHeads;
import io.github.repmtl.samediff.model.TaskSpec;
import io.github.repmtl.samediff.nn.Conv2d;
import io.github.repmtl.samediff.nn.Dense;
import io.github.repmtl.samediff.nn.LayerContext;
import io.github.repmtl.samediff.nn.Pooling;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;

/**
 * Hard-parameter-sharing LeNet for MultiMNIST / MultiFashion ({@code 1x36x36}, tasks {@code left} and
 * {@code right}, 10 classes each): conv 9x9 (10 channels), max-pool 2, ReLU, conv 5x5 (20), max-pool 2, ReLU,
 * fully connected 50 + ReLU as the shared representation {@code Z [B, 50]}; per task fc 50 + ReLU, fc to the
 * task's classes. PyTorch default initialisation. No batch norm and no dropout, hence no training flag.
 */
public final class HpsLeNet {
    private HpsLeNet() {}

    public static Builder builder() { return new Builder(); }

    /** Configures an {@link HpsLeNet}. */
    public static final class Builder extends HpsModelBuilder<Builder> {
        private Builder() {
            super(1, 36, 36, List.of(TaskSpec.classification("left", 10), TaskSpec.classification("right", 10)));
        }

        @Override
        public MultiTaskModel init() {
            validateTasks("HpsLeNet");
            for (TaskSpec t : tasks) TaskKindCheck.requireKind(t, false, "HpsLeNet");
            SameDiff sd = SameDiff.create();
            LayerContext ctx = LayerContext.create(sd, dataType, seed);
            SDVariable x = sd.placeHolder(ModelNames.INPUT, dataType, -1, channels, height, width);

            Conv2d conv1 = Conv2d.builder(channels, 10).kernel(9).build();
            Conv2d conv2 = Conv2d.builder(10, 20).kernel(5).build();
            Pooling pool = Pooling.max(2, 2, 0);
            long h = pool.outputSize(conv2.outputHeight(pool.outputSize(conv1.outputHeight(height))));
            long w = pool.outputSize(conv2.outputWidth(pool.outputSize(conv1.outputWidth(width))));
            SDVariable a = sd.nn().relu(pool.apply(conv1.apply(ctx, "trunk/conv1", x)), 0);
            a = sd.nn().relu(pool.apply(conv2.apply(ctx, "trunk/conv2", a)), 0);
            SDVariable flat = a.reshape(-1, 20 * h * w);
            SDVariable z = sd.nn().relu(ModelNames.SHARED, Dense.builder((int) (20 * h * w), 50).build().apply(ctx, "trunk/fc", flat), 0);

            MultiTaskModel.Builder model = MultiTaskModel.builder(sd);
            for (TaskSpec t : tasks) {
                SDVariable hidden = sd.nn().relu(Dense.builder(50, 50).build().apply(ctx, t.name() + "/fc1", z), 0);
                SDVariable logits = Dense.builder(50, t.outputs()).build().apply(ctx, t.name() + "/fc2", hidden);
                TaskHeads.attach(sd, t, logits, 0, 0);
                model.task(t, ModelNames.INPUT, ModelNames.SHARED, ModelNames.output(t.name()), ModelNames.label(t.name()), ModelNames.loss(t.name()));
            }
            return model.build();
        }
    }
}
