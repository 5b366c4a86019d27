package facegen.nn.facenets;

import facegen.engine.tensor.Tensor;

import java.util.List;

/**
 * The AlbedoGAN face losses on the outputs of face-api's networks (DESIGN.md section 1, "Losses"); each is a
 * scalar built from differentiable engine ops, so its gradient reaches the image the networks read.
 */
public final class FaceLosses {
    /** Added under the square root of the landmark distance so its gradient stays finite at zero distance. */
    static final double DISTANCE_EPS = 1e-12;

    private FaceLosses() {}

    /** L_id = mean_n (1 - cos(a_n, b_n)) of descriptors a, b [N, D] ({@link FaceRecognitionNet#cosine}). */
    public static Tensor identity(Tensor a, Tensor b) {
        return FaceRecognitionNet.cosine(a, b).neg().add(1).meanAll();
    }

    /**
     * L_lmk = mean over faces and points of ||a_nk - b_nk|| for landmarks a, b [N, K, 2] in pixels
     * (sqrt(d^2 + 1e-12), so equal points give gradient 0, not NaN).
     */
    public static Tensor landmark(Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape()) || a.rank() != 3 || a.dim(2) != 2) {
            throw new IllegalArgumentException("landmarks must both be [N, K, 2], got " + a.shape() + " and " + b.shape());
        }
        return a.sub(b).square().sum(new int[] {2}, false).add(DISTANCE_EPS).sqrt().meanAll();
    }

    /**
     * L_perc = sum_l mean((f_l(a) - f_l(b))^2) over the stage feature maps of the recognition net
     * ({@link FaceRecognitionNet.Features#stages}), the paper's perceptual loss on a face-recognition network.
     */
    public static Tensor perceptual(List<Tensor> a, List<Tensor> b) {
        if (a.size() != b.size() || a.isEmpty()) {
            throw new IllegalArgumentException("need the same non-zero number of feature maps, got " + a.size() + " and " + b.size());
        }
        Tensor loss = null;
        for (int l = 0; l < a.size(); l++) {
            Tensor term = a.get(l).sub(b.get(l)).square().meanAll();
            loss = loss == null ? term : loss.add(term);
        }
        return loss;
    }
}
