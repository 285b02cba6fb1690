package io.github.repmtl.samediff.saliency;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.AvgPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DeConv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static io.github.repmtl.samediff.saliency.ElementwiseRules.one;

/**
 * Input-gradient rules of 2-D convolutions and pooling, NCHW or NHWC (an NHWC op's gradient is the NCHW rule's,
 * between permutations). The input gradient of {@code conv2d} is a {@code deconv2d} with the same weights, stride
 * and dilation (full output, then cropped to the input window given by the padding; by the deconvolution's own
 * padding where the window is centred); that of {@code deconv2d} is a {@code conv2d}. Pooling is supported for
 * non-overlapping windows (kernel = stride, no padding); max pooling shares the gradient equally among tied maxima.
 */
final class ConvolutionRules {
    private static final int[] TO_NCHW = {0, 3, 1, 2};
    private static final int[] TO_NHWC = {0, 2, 3, 1};

    private ConvolutionRules() {}

    static void register(Map<String, VjpRule> rules) {
        rules.put("conv2d", ConvolutionRules::conv2d);
        rules.put("deconv2d", ConvolutionRules::deconv2d);
        rules.put("maxpool2d", c -> pool(c, true));
        rules.put("avgpool2d", c -> pool(c, false));
    }

    private static SDVariable[] conv2d(VjpContext c) {
        Conv2DConfig cfg = ((Conv2D) c.op()).getConfig();
        boolean nhwc = nhwc(c, cfg.getDataFormat());
        if (c.needsGradient(1) || (c.numInputs() > 2 && c.needsGradient(2)))
            throw c.unsupported("convolution weights that depend on the shared activation");
        long[] ws = c.shape(c.in(1));
        WeightsFormat format = cfg.getWeightsFormat() == null ? WeightsFormat.YXIO : cfg.getWeightsFormat();
        SDVariable w = switch (format) {                         // deconv2d wants [kH, kW, convIn, convOut]
            case YXIO -> c.in(1);
            case OIYX -> c.sd().permute(c.in(1), 2, 3, 1, 0);
            case OYXI -> c.sd().permute(c.in(1), 1, 2, 3, 0);
        };
        long kH = format == WeightsFormat.YXIO ? ws[0] : format == WeightsFormat.OIYX ? ws[2] : ws[1];
        long kW = format == WeightsFormat.YXIO ? ws[1] : format == WeightsFormat.OIYX ? ws[3] : ws[2];
        long[] in = nchw(c.shape(c.in(0)), nhwc), out = nchw(c.shape(c.out()), nhwc);
        long padTop, padLeft;
        if (cfg.getPaddingMode() == PaddingMode.SAME) {
            padTop = Math.max(0, (out[2] - 1) * cfg.getSH() + (kH - 1) * cfg.getDH() + 1 - in[2]) / 2;
            padLeft = Math.max(0, (out[3] - 1) * cfg.getSW() + (kW - 1) * cfg.getDW() + 1 - in[3]) / 2;
        } else if (cfg.getPaddingMode() == PaddingMode.VALID || cfg.getPaddingMode() == null) {
            padTop = cfg.getPH();
            padLeft = cfg.getPW();
        } else {
            throw c.unsupported("padding mode " + cfg.getPaddingMode());
        }
        long fullH = (out[2] - 1) * cfg.getSH() + (kH - 1) * cfg.getDH() + 1;
        long fullW = (out[3] - 1) * cfg.getSW() + (kW - 1) * cfg.getDW() + 1;
        // the input window is the full map less the same margin on both sides (e.g. stride 1, "same" padding):
        // the deconvolution's own padding crops it, no slice needed
        boolean symmetric = fullH - 2 * padTop == in[2] && fullW - 2 * padLeft == in[3];
        DeConv2DConfig deconv = DeConv2DConfig.builder().kH(kH).kW(kW).sH(cfg.getSH()).sW(cfg.getSW())
                .pH(symmetric ? padTop : 0).pW(symmetric ? padLeft : 0).dH(cfg.getDH()).dW(cfg.getDW())
                .isSameMode(false).dataFormat(DeConv2DConfig.NCHW).build();
        SDVariable g = c.sd().cnn.deconv2d(toNchw(c, c.g(), nhwc), w, deconv);
        if (!symmetric) g = window(c, g, fullH, fullW, padTop, padLeft, in[2], in[3]);
        return new SDVariable[]{toNhwc(c, g, nhwc), null, null};
    }

    private static SDVariable[] deconv2d(VjpContext c) {
        DeConv2DConfig cfg = ((DeConv2D) c.op()).getConfig();
        boolean nhwc = nhwc(c, cfg.getDataFormat());
        if (c.needsGradient(1) || (c.numInputs() > 2 && c.needsGradient(2)))
            throw c.unsupported("deconvolution weights that depend on the shared activation");
        long[] ws = c.shape(c.in(1));
        Conv2DConfig conv = Conv2DConfig.builder().kH(ws[0]).kW(ws[1]).sH(cfg.getSH()).sW(cfg.getSW())
                .pH(cfg.getPH()).pW(cfg.getPW()).dH(cfg.getDH()).dW(cfg.getDW())
                .paddingMode(cfg.isSameMode() ? PaddingMode.SAME : PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).build();
        return new SDVariable[]{toNhwc(c, c.sd().cnn.conv2d(toNchw(c, c.g(), nhwc), c.in(1), conv), nhwc), null, null};
    }

    private static boolean nhwc(VjpContext c, String dataFormat) {
        if (dataFormat == null || Conv2DConfig.NCHW.equalsIgnoreCase(dataFormat)) return false;
        if (Conv2DConfig.NHWC.equalsIgnoreCase(dataFormat)) return true;
        throw c.unsupported("data format " + dataFormat + " (NCHW or NHWC only)");
    }

    private static long[] nchw(long[] shape, boolean nhwc) {
        return nhwc ? new long[]{shape[0], shape[3], shape[1], shape[2]} : shape;
    }

    private static SDVariable toNchw(VjpContext c, SDVariable v, boolean nhwc) { return nhwc ? c.sd().permute(v, TO_NCHW) : v; }

    private static SDVariable toNhwc(VjpContext c, SDVariable v, boolean nhwc) { return nhwc ? c.sd().permute(v, TO_NHWC) : v; }

    /**
     * Cuts rows {@code [top, top + h)} and columns {@code [left, left + w)} out of a full-size NCHW gradient map
     * of size {@code fullH x fullW}, zero-padding at the bottom/right where the map is shorter (input rows
     * the forward op never read).
     */
    private static SDVariable window(VjpContext c, SDVariable g, long fullH, long fullW, long top, long left, long h, long w) {
        long extraH = Math.max(0, top + h - fullH), extraW = Math.max(0, left + w - fullW);
        if (extraH > 0 || extraW > 0) {
            SDVariable pads = c.sd().constant(Nd4j.createFromArray(new int[][]{{0, 0}, {0, 0}, {0, (int) extraH}, {0, (int) extraW}}));
            g = c.sd().nn.pad(g, pads, 0.0);
        }
        if (top == 0 && left == 0 && fullH + extraH == h && fullW + extraW == w) return g;
        return c.sd().stridedSlice(g, new long[]{0, 0, top, left}, new long[]{0, 0, top + h, left + w}, new long[]{1, 1, 1, 1},
                0b0011, 0b0011, 0, 0, 0);
    }

    private static SDVariable[] pool(VjpContext c, boolean max) {
        Pooling2DConfig cfg = c.op() instanceof MaxPooling2D m ? m.getConfig() : ((AvgPooling2D) c.op()).getConfig();
        boolean nhwc = cfg.isNHWC();
        long kH = cfg.getKH(), kW = cfg.getKW();
        if (kH != cfg.getSH() || kW != cfg.getSW() || cfg.getPH() != 0 || cfg.getPW() != 0 || cfg.getDH() != 1 || cfg.getDW() != 1)
            throw c.unsupported("pooling with overlapping windows, padding or dilation (kernel " + kH + "x" + kW + ", stride "
                    + cfg.getSH() + "x" + cfg.getSW() + ", padding " + cfg.getPH() + "x" + cfg.getPW() + "); only kernel = stride is exact");
        long[] in = nchw(c.shape(c.in(0)), nhwc), out = nchw(c.shape(c.out()), nhwc);
        long ch = in[1], h = out[2], w = out[3];
        if (cfg.getPaddingMode() == PaddingMode.SAME && (in[2] % kH != 0 || in[3] % kW != 0))
            throw c.unsupported("SAME pooling of a size not divisible by the kernel");
        SDVariable g6 = c.sd().reshape(toNchw(c, c.g(), nhwc), -1, ch, h, 1, w, 1);
        SDVariable grad6;
        if (max) {
            SDVariable x = toNchw(c, c.in(0), nhwc);
            if (in[2] != h * kH || in[3] != w * kW)
                x = c.sd().stridedSlice(x, new long[]{0, 0, 0, 0}, new long[]{0, 0, h * kH, w * kW}, new long[]{1, 1, 1, 1}, 0b0011, 0b0011, 0, 0, 0);
            SDVariable x6 = c.sd().reshape(x, -1, ch, h, kH, w, kW);
            SDVariable y6 = c.sd().reshape(toNchw(c, c.out(), nhwc), -1, ch, h, 1, w, 1);
            SDVariable hit = c.mask(x6.eq(y6));
            grad6 = g6.mul(hit).div(hit.sum(true, 3, 5));
        } else {
            grad6 = g6.mul(c.sd().constant(Nd4j.ones(c.dataType(), 1, 1, 1, kH, 1, kW))).div((double) (kH * kW));
        }
        SDVariable g = c.sd().reshape(grad6, -1, ch, h * kH, w * kW);
        return one(toNhwc(c, window(c, g, h * kH, w * kW, 0, 0, in[2], in[3]), nhwc));
    }
}
