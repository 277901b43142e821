package io.ringfold.spark;

import io.ringfold.data.MaskSettings;
import org.apache.spark.ml.param.Param;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The masker's Params take their names and help from the declaration the command line's {@code --mask} and
 * {@code --mask-key-file} take theirs from ({@link MaskSettings}); docs/spark.md's table lists every Param of the
 * masker and its model.
 */
class MaskParamsTest {

    @Test
    void theParamsAndTheFlagsShareOneDeclaration() {
        RingfoldMasker masker = new RingfoldMasker();
        assertThat(masker.mask().name()).isEqualTo(MaskSettings.MASK_PARAM);
        assertThat(masker.mask().doc()).isEqualTo(MaskSettings.MASK_HELP);
        assertThat(masker.maskKeyFile().name()).isEqualTo(MaskSettings.KEY_FILE_PARAM);
        assertThat(masker.maskKeyFile().doc()).startsWith(MaskSettings.KEY_FILE_HELP);
        // The flags' side: CvCommandTest.takesEveryHyperparameterFlagOfTrain (picocli is not on this classpath).
    }

    @Test
    void docsSparkMdListsEveryParamOfTheMaskerAndItsModel() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "spark.md"));
        List<Param<?>> params = new java.util.ArrayList<>(Arrays.asList(new RingfoldMasker().params()));
        params.addAll(Arrays.asList(new RingfoldMaskerModel("m").params()));
        assertThat(params).hasSize(5);
        for (Param<?> p : params) {
            assertThat(doc).as(p.name()).contains("| `" + p.name() + "`");
        }
    }
}
