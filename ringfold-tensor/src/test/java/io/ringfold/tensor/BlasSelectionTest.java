package io.ringfold.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BlasSelectionTest {

    @Test
    void javaAndReferenceModesAreHonoured() {
        assertThat(BlasSelection.create("java", 2)).isInstanceOf(VectorBlas.class);
        assertThat(((VectorBlas) BlasSelection.create("java", 2)).threads()).isEqualTo(2);
        assertThat(BlasSelection.create("reference", 2)).isInstanceOf(ReferenceBlas.class);
    }

    @Test
    void autoPrefersNativeExactlyWhenItLoads() {
        Class<?> expected = NativeBlas.isAvailable() ? NativeBlas.class : VectorBlas.class;
        assertThat(BlasSelection.create("auto", 1)).isInstanceOf(expected);
    }

    @Test
    void nativeModeNamesWhatIsMissingWhenItCannotLoad() {
        if (NativeBlas.isAvailable()) {
            assertThat(BlasSelection.create("native", 1)).isInstanceOf(NativeBlas.class);
        } else {
            assertThatThrownBy(() -> BlasSelection.create("native", 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(NativeBlas.unavailableReason());
        }
    }

    @Test
    void unknownModeIsRejectedWithTheChoices() {
        assertThatThrownBy(() -> BlasSelection.create("mkl", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ringfold.blas: mkl (expected: auto, java, native or reference)");
    }

    @Test
    void selectedBlasHasAName() {
        assertThat(Blas.get().name()).isNotBlank();
    }
}
