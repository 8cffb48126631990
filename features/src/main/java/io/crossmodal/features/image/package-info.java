/** Image input checks (28x28 grey levels in [0, 1], finite). */
package io.crossmodal.features.image;
