package io.ringfold.cli.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration when it starts, before the command line is read (found through
 * META-INF/services): the text format, or {@code RINGFOLD_LOG_FORMAT} when set. Without it Logback would log
 * everything, DEBUG included, until {@code --log-format} is applied.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class DefaultLogging extends ContextAwareBase implements Configurator {

    /** The environment variable that sets the format where the command line does not. */
    public static final String ENV = "RINGFOLD_LOG_FORMAT";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        String env = System.getenv(ENV);
        LogFormat format;
        try {
            format = env == null || env.isBlank() ? LogFormat.TEXT : LogFormat.parse(env.strip());
        } catch (IllegalArgumentException e) {
            format = LogFormat.TEXT; // the command line refuses it, naming the variable
        }
        Logging.configure(context, format);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
