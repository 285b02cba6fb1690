package io.github.repmtl.samediff.train;

import java.util.List;

/**
 * The outcome of {@link MultiTaskTrainer#fit}: every epoch's summary and the selected epoch(s) under the
 * configured {@link ModelSelection}, with the split the selection used.
 */
public record TrainingResult(List<EpochSummary> epochs, ModelSelection selection, String selectionSplit, List<Integer> selectedEpochs,
                             double selectedDeltaP) {}
