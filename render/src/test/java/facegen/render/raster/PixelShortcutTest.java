package facegen.render.raster;

import facegen.engine.autodiff.Autograd;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.render.TestMeshes;
import facegen.render.mesh.Triangles;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Texturing} reads {@link Interpolation}'s per-pixel UVs directly instead of gathering them back from the
 * UV image (ScreenSpace's gather-of-a-scatter shortcut): value and gradients must be those of the full round trip,
 * which a copy of the UV image (a tensor the shortcut does not know) forces.
 */
class PixelShortcutTest {
    private static List<double[]> render(Backend reference, boolean roundTrip) {
        Triangles tri = TestMeshes.twoTriangles();
        Tensor pos = Tensor.of(reference, TestMeshes.twoTrianglesClip(), 4, 4).requireGrad();
        Tensor uvs = Tensor.of(reference, new double[] {0.1, 0.2, 0.9, 0.15, 0.85, 0.8, 0.2, 0.9}, 4, 2).requireGrad();
        Tensor tex = Tensor.randn(reference, 11, 1, 3, 6, 7).requireGrad();
        Raster raster = Rasterizer.rasterize(pos, tri, 9, 11);
        Tensor uv = Interpolation.interpolate(uvs, raster, tri, pos);
        Tensor read = roundTrip ? uv.mul(1.0) : uv;                              // mul(1): same values, a new tensor
        Tensor colour = Texturing.texture(tex, read, raster, BoundaryMode.CLAMP);
        Tensor loss = colour.mul(colour).sumAll();
        List<Tensor> grads = Autograd.grad(loss, List.of(pos, uvs, tex), false);
        return List.of(colour.toArray(), grads.get(0).toArray(), grads.get(1).toArray(), grads.get(2).toArray());
    }

    @Test
    void texturingInterpolatedUvsEqualsTheFullRoundTrip() {
        try (Backend reference = Backends.create("reference")) {
            List<double[]> shortcut = render(reference, false);
            List<double[]> full = render(reference, true);
            for (int i = 0; i < full.size(); i++) {
                assertThat(shortcut.get(i)).as("result " + i).containsExactly(full.get(i));
            }
            assertThat(full.get(2)).as("the UV attributes get a gradient").isNotEqualTo(new double[full.get(2).length]);
        }
    }
}
