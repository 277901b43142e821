package io.ringfold.cli;

import io.ringfold.jobs.http.JobsApi;
import io.ringfold.jobs.service.JobService;
import io.ringfold.jobs.service.JobServiceConfig;
import io.ringfold.jobs.store.JdbcJobStore;
import io.ringfold.jobs.store.JobStores;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.dashboard.JobsLink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The dashboard end to end in headless Chromium: {@code quickstart --no-serve} trains the digits model into a
 * temporary repository, the server serves it on a free port, and WebDriver drives the page: the model list
 * shows digits, the run's curves have one point per epoch, a digit painted in the playground comes back as
 * probabilities that sum to 1, the server's metrics count the request, and once the server stops the page
 * says it is unreachable. Screenshots go to {@code target/dashboard-browser/}.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} packages (.ci/run installs them). Without
 * them the test is skipped, except under CI=true, where it fails, so CI cannot pass without running it.
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target", "dashboard-browser");
    private static final int EPOCHS = 4;

    @TempDir
    static Path tmp;

    private static Path models;
    private static InferenceServer server;
    private static ChromeDriver driver;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            fail(CHROMIUM + " or " + CHROMEDRIVER + " missing under CI=true (expected: the Debian packages chromium and "
                    + "chromium-driver, which .ci/run installs)");
        }
        Assumptions.assumeTrue(present, CHROMIUM + " or " + CHROMEDRIVER + " missing: the dashboard browser test needs the "
                + "Debian packages chromium and chromium-driver (apt-get install chromium chromium-driver)");
        models = tmp.resolve("models");
        // A pipeline run first (so the quickstart's, newer, is the one shown first), for the stage chart.
        CliRunner piped = CliRunner.run("train", "--data", "digits", "--hidden", "16", "--epochs", "2", "--optimizer", "adam", "--lr", "0.01",
                "--pipeline-stages", "2", "--micro-batches", "4", "--out", models.resolve("piped/1").toString());
        assertThat(piped.status()).as(piped.err()).isZero();
        CliRunner trained = CliRunner.run("quickstart", "--no-serve", "--models", models.toString(), "--epochs",
                Integer.toString(EPOCHS), "--workers", "2");
        assertThat(trained.status()).as(trained.err()).isZero();
        // A run record that is not JSON, beside the good one: listed apart, the good run as usual.
        Files.createDirectories(models.resolve("digits/archive"));
        Files.writeString(models.resolve("digits/archive/run.json"), "{\"id\": \"cut off");
        // What `ringfold serve --repository models --port 0` runs, in this JVM so the test can stop it.
        server = InferenceServer.start(serverConfig());
        Files.createDirectories(SHOTS);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createDirectory(tmp.resolve("chromium-profile")), "--window-size=1400,2600");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    private static ServerConfig serverConfig() {
        return ServerConfig.defaults(models).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(-1).withPollSeconds(0)
                .withGracePeriod(Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    private static WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(20));
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private static void screenshot(String name) throws Exception {
        File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void showsTheModelTheRunAndPredictsAPaintedDigit() throws Exception {
        driver.get("http://127.0.0.1:" + server.port() + "/ui/");

        // Models: the digits model, ready, version 1.
        WebElement digits = waiting().until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#models-table tr[data-model='digits'][data-version='1']")));
        assertThat(digits.getAttribute("data-state")).isEqualTo("ready");
        assertThat(driver.findElement(By.id("models-table")).getText()).contains("digits").contains("64 -> dense(64) -> relu -> dense(10) softmax");

        // Runs: the quickstart's run, with one point per epoch on both curves, a 10x10 confusion matrix, 2 ranks.
        waiting().until(ExpectedConditions.attributeToBe(By.id("run-detail"), "data-epochs", Integer.toString(EPOCHS)));
        assertThat(driver.findElements(By.cssSelector("#runs-table tbody tr"))).hasSize(2);
        assertThat(driver.findElement(By.id("runs-unreadable")).getText()).contains("digits/archive")
                .contains("not a run record");
        for (String chart : new String[] {"loss-chart", "quality-chart"}) {
            assertThat(js("return Chart.getChart(arguments[0]).data.labels.length", chart)).as(chart).isEqualTo((long) EPOCHS);
            assertThat(js("return Chart.getChart(arguments[0]).data.datasets[0].data.filter(v => v > 0).length", chart))
                    .as(chart).isEqualTo((long) EPOCHS);
        }
        assertThat(driver.findElements(By.cssSelector("#confusion-table tbody tr"))).hasSize(10);
        assertThat(js("return Chart.getChart('ranks-chart').data.labels")).isEqualTo(List.of("rank 0", "rank 1"));
        assertThat(driver.findElement(By.id("pipeline-figure")).isDisplayed()).as("no stages in a data-parallel run").isFalse();

        // The pipeline run: one bar per stage, the caption with its plan and the bubble against GPipe's.
        driver.findElements(By.cssSelector("#runs-table tbody tr")).get(1).click();
        waiting().until(ExpectedConditions.attributeToBe(By.id("run-detail"), "data-epochs", "2"));
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("pipeline-figure")));
        assertThat(js("return Chart.getChart('pipeline-chart').data.labels"))
                .isEqualTo(List.of("stage 0 · replica 0", "stage 1 · replica 0"));
        assertThat(driver.findElement(By.id("pipeline-caption")).getText())
                .startsWith("Pipeline: 2 stages, 4 micro-batches, 1f1b; boundaries ").contains("(GPipe's analysis: 20");
        screenshot("pipeline.png");
        driver.findElements(By.cssSelector("#runs-table tbody tr")).get(0).click();
        waiting().until(ExpectedConditions.attributeToBe(By.id("run-detail"), "data-epochs", Integer.toString(EPOCHS)));

        // Playground: paint a vertical stroke (a "1") by dragging down the middle column, then read the bars.
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#pg-grid .cell")));
        List<WebElement> cells = driver.findElements(By.cssSelector("#pg-grid .cell"));
        assertThat(cells).hasSize(64);
        Actions stroke = new Actions(driver).moveToElement(cells.get(4)).clickAndHold();
        for (int row = 1; row < 8; row++) {
            stroke.moveToElement(cells.get(row * 8 + 4));
        }
        stroke.release().perform();
        waiting().until(ExpectedConditions.attributeToBe(By.id("pg-result"), "data-state", "done"));
        assertThat(cells.get(3 * 8 + 4).getAttribute("data-value")).isEqualTo("16");
        List<WebElement> bars = driver.findElements(By.cssSelector("#pg-bars .bar"));
        assertThat(bars).hasSize(10);
        double sum = 0;
        for (WebElement bar : bars) {
            double p = Double.parseDouble(bar.getAttribute("data-probability"));
            assertThat(p).isBetween(0.0, 1.0);
            sum += p;
        }
        assertThat(sum).isCloseTo(1.0, within(1e-4));
        assertThat(driver.findElement(By.id("pg-class")).getText()).matches("[0-9]");

        // Server: the live metrics count the playground's request (the page polls every 2 s).
        waiting().until(d -> {
            String n = d.findElement(By.id("server-stats")).getAttribute("data-requests");
            return n != null && Long.parseLong(n) >= 1;
        });
        js("window.scrollTo(0, 0)");
        screenshot("dashboard.png");

        // Unreachable: stop the server, ask for a refresh, and the page says so plainly.
        server.shutdown();
        driver.findElement(By.id("refresh")).click();
        WebElement banner = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("banner")));
        assertThat(banner.getText()).startsWith("Server unreachable");
        assertThat(driver.findElement(By.id("connection")).getText()).isEqualTo("offline");
        screenshot("dashboard-offline.png");
    }

    @Test
    void withABearerTokenThePageAsksForItAndThenShowsTheModels() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "browser-Token.1\n");
        try (InferenceServer guarded = InferenceServer.start(serverConfig().withAuthTokenFile(token))) {
            driver.get("http://127.0.0.1:" + guarded.port() + "/ui/");
            WebElement input = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input")));
            assertThat(driver.findElement(By.id("connection")).getText()).isEqualTo("token required");
            input.sendKeys("browser-Token.1");
            driver.findElement(By.cssSelector("#token-form button[type='submit']")).click();
            waiting().until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#models-table tr[data-model='digits'][data-state='ready']")));
            waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("token-form")));
            assertThat(driver.findElement(By.id("connection")).getText()).isEqualTo("online");
        } finally {
            js("sessionStorage.clear()");
        }
    }
    @Test
    void linkedToAJobServiceThePageSubmitsAJobAndDrawsItsCurves() throws Exception {
        try (InferenceServer unlinked = InferenceServer.start(serverConfig())) {
            driver.get("http://127.0.0.1:" + unlinked.port() + "/ui/");
            waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("body[data-loaded='true']")));
            assertThat(driver.findElement(By.id("jobs")).isDisplayed()).as("no job service, no section").isFalse();
            assertThat(driver.findElement(By.id("jobs-link")).isDisplayed()).isFalse();
        }
        Path data = tmp.resolve("jobs-data");
        JobServiceConfig config = new JobServiceConfig(LaunchCommand.javaCommand(List.of()), data, models, "browser-test",
                1, 10, Duration.ofMillis(100), Duration.ofSeconds(30));
        try (JdbcJobStore store = JobStores.openDataDir(data);
             JobService service = new JobService(store, config, JobArguments::check).start()) {
            JobsApi api = JobsApi.start(service, "127.0.0.1", 0, null);
            try (InferenceServer linked = InferenceServer.start(serverConfig(), io.ringfold.tensor.Blas.get(),
                    JobsLink.of("http://127.0.0.1:" + api.port(), null))) {
                driver.get("http://127.0.0.1:" + linked.port() + "/ui/");
                waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("jobs-body")));
                assertThat(driver.findElement(By.id("jobs-body")).getText()).contains("No jobs yet");
                driver.findElement(By.cssSelector("#job-submit summary")).click();
                driver.findElement(By.cssSelector("#job-form input[name='name']")).sendKeys("from-the-browser");
                driver.findElement(By.cssSelector("#job-form input[name='arguments']"))
                        .sendKeys("--data digits --hidden 16 --epochs 3 --seed 1 --optimizer adam --lr 0.01");
                driver.findElement(By.cssSelector("#job-form button[type='submit']")).click();
                new WebDriverWait(driver, Duration.ofSeconds(120)).until(ExpectedConditions.presenceOfElementLocated(
                        By.cssSelector("#job-detail[data-state='SUCCEEDED'][data-epochs='3']")));
                assertThat(driver.findElement(By.id("job-submit-result")).getText()).startsWith("Submitted: job 1");
                assertThat(driver.findElement(By.cssSelector("#jobs-table tbody tr[data-job='1']")).getText())
                        .contains("from-the-browser").contains("succeeded").contains("3/3");
                assertThat(js("return Chart.getChart(document.getElementById('job-loss-chart')).data.datasets[0].data.length"))
                        .as("one point per epoch on the loss curve").isEqualTo(3L);
                assertThat(driver.findElement(By.id("job-log")).getText()).contains("epoch 3/3");
                assertThat(driver.findElement(By.id("job-cancel")).isDisplayed()).as("nothing to cancel").isFalse();
                screenshot("jobs.png");

                // A submission the job service refuses shows its one line under the form.
                driver.findElement(By.cssSelector("#job-form input[name='arguments']")).sendKeys(" --lr -1");
                driver.findElement(By.cssSelector("#job-form button[type='submit']")).click();
                waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-submit-result"), "Error 400"));
                assertThat(driver.findElement(By.id("job-submit-result")).getText()).contains("--lr");
            } finally {
                api.close();
            }
        }
    }
}
