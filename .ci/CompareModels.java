import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.File;

/**
 * CI diagnostic (.ci/spark-standalone.sh, when two model.fb files differ): the trainable variables that differ and
 * by how much, relative to each variable's largest magnitude.
 *   java -cp examples/target/repmtl-app.jar .ci/CompareModels.java A/model.fb B/model.fb
 */
public class CompareModels {
    public static void main(String[] args) {
        SameDiff a = SameDiff.load(new File(args[0]), false), b = SameDiff.load(new File(args[1]), false);
        int count = 0, differing = 0;
        double worst = 0;
        for (SDVariable v : a.variables()) {
            if (v.getVariableType() != VariableType.VARIABLE) continue;
            count++;
            if (!b.hasVariable(v.name())) {
                System.out.println(v.name() + ": missing in " + args[1]);
                differing++;
                worst = Double.POSITIVE_INFINITY;
                continue;
            }
            INDArray x = v.getArr().castTo(DataType.DOUBLE), y = b.getVariable(v.name()).getArr().castTo(DataType.DOUBLE);
            if (!java.util.Arrays.equals(x.shape(), y.shape())) {
                System.out.println(v.name() + ": shapes differ");
                differing++;
                worst = Double.POSITIVE_INFINITY;
                continue;
            }
            double diff = x.sub(y).amaxNumber().doubleValue(), scale = Math.max(x.amaxNumber().doubleValue(), Double.MIN_NORMAL);
            if (diff > 0) {
                differing++;
                System.out.printf("%s: max |difference| %.3g, relative %.3g%n", v.name(), diff, diff / scale);
            }
            worst = Math.max(worst, diff / scale);
        }
        System.out.printf("%d trainable variables, %d differ, largest relative difference %.3g%n", count, differing, worst);
    }
}
