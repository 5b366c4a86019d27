package facegen.render.head;

import facegen.engine.tensor.Tensor;
import facegen.render.camera.Rotations;

/**
 * FLAME's {@code lbs} (SMPL-style linear blend skinning) written with tensor ops, steps as in {@link MorphableHead}.
 */
final class LinearBlendSkinning {

    private LinearBlendSkinning() {}

    /**
     * Poses shaped vertices.
     *
     * @param shaped   v_shaped [B, V, 3]
     * @param pose     axis-angle of every joint [B, J, 3]
     * @param model    the model's tensors
     * @param parents  parent of each joint
     * @return posed vertices [B, V, 3]
     */
    static Tensor apply(Tensor shaped, Tensor pose, MorphableHead.Tensors model, int[] parents) {
        int batch = shaped.dim(0);
        int v = shaped.dim(1);
        int j = parents.length;
        Tensor joints = regressJoints(shaped, model.jointRegressor(), batch, v, j);           // [B, J, 3]
        Tensor rotations = Rotations.rodrigues(pose.reshape(batch * j, 3)).reshape(batch, j, 3, 3);

        Tensor posed = shaped;
        if (model.poseBasis() != null && j > 1) {
            Tensor identity = Tensor.of(shaped.backend(), new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 1, 1, 3, 3);
            Tensor feature = rotations.slice(1, 1, j).sub(identity).reshape(batch, (j - 1) * 9);
            posed = shaped.add(feature.matmul(model.poseBasis()).reshape(batch, v, 3));
        }

        // world transforms G_j = G_parent(j) [R_j | J_j - J_parent(j)], then relative to the rest pose:
        // A_j = [G_R | G_t - G_R J_j]
        Tensor[] worldR = new Tensor[j];
        Tensor[] worldT = new Tensor[j];
        Tensor[] relative = new Tensor[j];
        for (int k = 0; k < j; k++) {
            Tensor r = rotations.slice(1, k, k + 1).reshape(batch, 3, 3);
            Tensor jointK = joints.slice(1, k, k + 1).reshape(batch, 3, 1);
            if (parents[k] < 0) {
                worldR[k] = r;
                worldT[k] = jointK;
            } else {
                int p = parents[k];
                Tensor local = jointK.sub(joints.slice(1, p, p + 1).reshape(batch, 3, 1));
                worldR[k] = worldR[p].matmul(r);
                worldT[k] = worldR[p].matmul(local).add(worldT[p]);
            }
            Tensor t = worldT[k].sub(worldR[k].matmul(jointK));                             // [B, 3, 1]
            relative[k] = Tensor.concat(1, worldR[k].reshape(batch, 9), t.reshape(batch, 3)).reshape(batch, 1, 12);
        }
        Tensor transforms = Tensor.concat(1, relative);                                     // [B, J, 12]
        Tensor weights = model.skinningWeights().reshape(1, v, j).expand(batch, v, j);
        Tensor blended = weights.matmul(transforms);                                        // [B, V, 12]
        Tensor rotation = blended.slice(2, 0, 9).reshape(batch, v, 3, 3);
        Tensor translation = blended.slice(2, 9, 12);
        return rotation.mul(posed.reshape(batch, v, 1, 3)).sum(3).add(translation);
    }

    /** J = J_regressor v_shaped for each batch element: [B, J, 3]. */
    private static Tensor regressJoints(Tensor shaped, Tensor regressor, int batch, int v, int j) {
        Tensor columns = shaped.permute(1, 0, 2).reshape(v, batch * 3);                     // [V, B*3]
        return regressor.matmul(columns).reshape(j, batch, 3).permute(1, 0, 2);
    }
}
