"""The Laplacian pyramid of ProGAN's metrics/sliced_wasserstein.py (pyr_down / pyr_up with scipy's 'mirror'
convolution, float32) for one random 32 x 32 RGB image; SlicedWassersteinTest checks ours against it.

    cd facegen/src/test/resources/facegen/metrics && python3 make_pyramid_fixture.py
"""
import numpy as np
import scipy.ndimage

gaussian_filter = np.float32([
    [1, 4, 6, 4, 1],
    [4, 16, 24, 16, 4],
    [6, 24, 36, 24, 6],
    [4, 16, 24, 16, 4],
    [1, 4, 6, 4, 1]]) / 256.0


def pyr_down(minibatch):
    return scipy.ndimage.convolve(minibatch, gaussian_filter[np.newaxis, np.newaxis, :, :], mode='mirror')[:, :, ::2, ::2]


def pyr_up(minibatch):
    S = minibatch.shape
    res = np.zeros((S[0], S[1], S[2] * 2, S[3] * 2), minibatch.dtype)
    res[:, :, ::2, ::2] = minibatch
    return scipy.ndimage.convolve(res, gaussian_filter[np.newaxis, np.newaxis, :, :] * 4.0, mode='mirror')


def generate_laplacian_pyramid(minibatch, num_levels):
    pyramid = [np.float32(minibatch)]
    for i in range(1, num_levels):
        pyramid.append(pyr_down(pyramid[-1]))
        pyramid[-2] -= pyr_up(pyramid[-1])
    return pyramid


image = np.random.RandomState(7).randint(0, 256, size=(1, 3, 32, 32)).astype(np.uint8)
lap = generate_laplacian_pyramid(image, 2)
np.savez("pyramid.npz", image=image[0], level32=lap[0][0], level16=lap[1][0])
