// The console end to end in a real browser (Debian's Chromium driven by playwright-core), against a running local
// stack: sign in -> create a tenant -> upload samples/iris.csv -> create an experiment -> start a run -> leaderboard
// and chart fill -> its feature importance -> register the best model -> score the dataset in a batch job -> create an
// endpoint and deploy -> score in the playground.
// Usage: node e2e/lifecycle.mjs <base url> <artifacts dir>. Prints one JSON line of figures ("console-figures ...").
// Every wait is for a condition, bounded by a generous timeout (a busy 2-core machine trains and serves here).
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const [base, artifacts] = process.argv.slice(2);
if (!base || !artifacts) throw new Error("usage: node e2e/lifecycle.mjs <base url> <artifacts dir>");
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const IRIS = path.join(ROOT, "samples", "iris.csv");
const tag = Math.random().toString(36).slice(2, 8);
const MINUTE = 60_000;
const figures = {};
mkdirSync(artifacts, { recursive: true });

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const profile = mkdtempSync(path.join(tmpdir(), "console-e2e-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: FLAGS,
  viewport: { width: 1280, height: 800 },
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(60_000);
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));

const shot = async (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
const step = (what) => console.log(`[console-e2e] ${new Date().toISOString()} ${what}`);
const pick = async (label, option) => {
  await page.getByRole("combobox", { name: label }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
};

async function api(pathname, token) {
  const resp = await fetch(`${base}${pathname}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!resp.ok) throw new Error(`${pathname}: HTTP ${resp.status} ${await resp.text()}`);
  return resp.json();
}

try {
  step("sign in");
  await page.goto(base + "/");
  await page.getByRole("combobox", { name: "User" }).fill(`alice-${tag}`);
  await page.getByRole("checkbox", { name: /Platform administrator/ }).check();
  await shot("signin");
  await page.getByRole("button", { name: "Sign in" }).click();

  step("keyboard: the first Tab reaches the skip link");
  await page.getByText("No tenant yet: create the first one").waitFor();
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement?.textContent ?? "");
  if (!focused.includes("Skip to content")) throw new Error(`the first Tab focused "${focused}", not the skip link`);

  step("create a tenant");
  await page.getByLabel("Tenant name").fill(`acme-${tag}`);
  await shot("tenant-create");
  await page.getByRole("button", { name: /Create tenant/ }).click();
  await page.getByRole("navigation", { name: "Sections" }).waitFor();
  const token = await (
    await fetch(`${base}/.devhost/token`, { method: "POST", body: JSON.stringify({ user: `alice-${tag}` }) })
  ).json().then((b) => b.token);
  const tenant = (await api("/api/v1/me", token)).tenants[0].tenantId;

  step("upload samples/iris.csv");
  await page.getByRole("link", { name: "Datasets" }).click();
  await page.getByText("No datasets yet").waitFor();
  await page.getByLabel("CSV file").setInputFiles(IRIS);
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await page.getByRole("heading", { name: "Dataset iris" }).waitFor();
  await page.getByRole("cell", { name: "species" }).first().waitFor();
  await shot("dataset");

  step("create an experiment");
  await page.getByRole("link", { name: "Create an experiment on it" }).click();
  await page.getByRole("textbox", { name: "Name" }).fill("iris-species");
  await pick("Task", "classification");
  await pick("Target column", "species");
  await pick("Primary metric", "accuracy"); // an enum of the contract: a dropdown
  const trials = page.getByRole("spinbutton", { name: "Max trials" });
  await trials.fill("8");
  const timeout = page.getByRole("spinbutton", { name: "Timeout (minutes)" });
  await timeout.fill("1");
  await page.getByRole("checkbox", { name: /Register the best model/ }).uncheck();
  await shot("experiment-create");
  await page.getByRole("button", { name: "Create experiment" }).click();
  await page.getByRole("heading", { name: "Experiment iris-species" }).waitFor();

  step("start a run");
  await page.getByRole("button", { name: "Start a run" }).click();
  await page.getByRole("heading", { name: /^Run / }).waitFor();
  const runId = page.url().split("/runs/")[1];

  step("first paint of the runs page");
  await page.goto(`${base}/runs`);
  await page.getByRole("table", { name: "Runs" }).waitFor();
  const paint = await page.evaluate(() => {
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    const nav = performance.getEntriesByType("navigation")[0];
    return { fcp: fcp?.startTime, table: performance.now(), dcl: nav?.domContentLoadedEventEnd };
  });
  figures.runsPageFirstContentfulPaintMs = Math.round(paint.fcp ?? -1);
  figures.runsPageTableVisibleMs = Math.round(paint.table);
  await page.getByRole("progressbar").first().waitFor();
  await shot("runs");

  step("watch the run: the leaderboard and the chart fill while it trains");
  await page.getByRole("link", { name: runId }).click();
  await page.getByRole("heading", { name: `Run ${runId}` }).waitFor();
  const board = page.getByRole("table", { name: "Leaderboard" });
  await board.getByRole("row").nth(1).waitFor({ timeout: 8 * MINUTE });
  const firstRowAt = Date.now();
  const whenShown = await api(`/api/v1/tenants/${tenant}/runs/${runId}`, token);
  figures.firstTrialShownWhileRunning = !["Completed", "Failed", "Canceled"].includes(whenShown.status);
  figures.firstTrialShownAfterStartMs = firstRowAt - Date.parse(whenShown.startedAt ?? whenShown.createdAt);
  await page.getByRole("img", { name: /best so far and per trial chart, [1-9]/ }).waitFor({ timeout: 2 * MINUTE });

  step("the run completes; the page waits on its training operation until the results are recorded");
  const runStatus = page.getByRole("group", { name: "Run status" });
  await runStatus.getByLabel("status Completed").waitFor({ timeout: 8 * MINUTE });
  await runStatus.getByLabel("status Recording results").waitFor({ state: "detached", timeout: 3 * MINUTE });
  const run = await api(`/api/v1/tenants/${tenant}/runs/${runId}`, token);
  const rows = 1 + Math.min(run.progress?.trialsDone ?? 1, 25);
  await page.waitForFunction(
    (n) => document.querySelectorAll('table[aria-label="Leaderboard"] tbody tr').length >= n - 1,
    rows,
    { timeout: 2 * MINUTE, polling: 250 },
  );
  figures.completionToLeaderboardMs = Date.now() - Date.parse(run.endedAt);
  figures.trials = run.progress?.trialsDone;
  const logCount = (await api(`/api/v1/tenants/${tenant}/runs/${runId}/logs?top=1000`, token)).value.length;
  const trainingOp = await api(`/api/v1/tenants/${tenant}/operations/${runId}`, token);
  step(`the API has ${logCount} log lines; training operation ${trainingOp.status}`);
  await page.getByLabel("Log lines").getByText(/Trial \d+:/).first().waitFor({ timeout: MINUTE });

  step("the run's explanation: the CSV's columns, most important first, as the API sorts them");
  const importance = page.getByRole("table", { name: "Feature importance" });
  await importance.locator("tbody tr").first().waitFor({ timeout: 2 * MINUTE });
  const shown = (await importance.locator("tbody tr td:first-child").allTextContents()).map((t) => t.trim());
  const explained = (await api(`/api/v1/tenants/${tenant}/runs/${runId}/explanation`, token)).features.map((f) => f.feature);
  const columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
  if (JSON.stringify(shown) !== JSON.stringify(explained.slice(0, shown.length)) || !shown.every((c) => columns.includes(c))) {
    throw new Error(`feature importance shows ${JSON.stringify(shown)}; the API explains ${JSON.stringify(explained)}`);
  }
  figures.explainedColumns = shown;
  await shot("run");

  step("sort the leaderboard by another recorded metric");
  await page.getByRole("combobox", { name: "Sort the leaderboard by" }).click();
  const other = page.getByRole("option").nth(1);
  figures.sortedBy = (await other.textContent())?.trim();
  await other.click();
  await board.getByRole("columnheader", { name: figures.sortedBy, exact: true }).waitFor();
  await page.getByRole("combobox", { name: "Sort the leaderboard by" }).click();
  await page.getByRole("option").first().click();

  step("register the best model");
  await page.getByLabel("Model name").fill("iris-best");
  await page.getByRole("button", { name: "Register the best model" }).click();
  await page.getByRole("heading", { name: "Model iris-best" }).waitFor();
  await page.getByText("sepal_length").first().waitFor();
  await page.getByRole("table", { name: "Feature importance" }).locator("tbody tr").first().waitFor({ timeout: MINUTE });
  await shot("model");

  step("score the dataset with the model: a batch job, followed on the Batch jobs page");
  await pick("Dataset", "iris");
  await page.getByRole("button", { name: "Score it" }).click();
  await page.getByRole("heading", { name: "Batch jobs" }).waitFor();
  const jobs = page.getByRole("table", { name: "Batch jobs" });
  await jobs.getByLabel("status Completed").waitFor({ timeout: 5 * MINUTE });
  await jobs.getByText(/^100% · 150 \/ 150 rows$/).waitFor();
  await jobs.getByRole("button", { name: /^Download the CSV of batch job / }).waitFor();
  await shot("batch-jobs");

  step("create an endpoint and deploy");
  await page.getByRole("link", { name: "Endpoints" }).click();
  await page.getByLabel("Endpoint name").fill("iris-online");
  await page.getByRole("button", { name: "Create endpoint" }).click();
  await page.getByRole("link", { name: "iris-online" }).click();
  await page.getByLabel("Deployment name").fill("blue");
  await page.getByRole("combobox", { name: "Model" }).click();
  await page.getByRole("option", { name: /^iris-best \(v1\) · accuracy / }).click();
  const share = page.getByRole("spinbutton", { name: "Traffic share (%)" });
  if ((await share.inputValue()) !== "100") throw new Error("an endpoint's first deployment should ask for 100%");
  await share.fill("100");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await page.getByText(/Deploying blue: /).waitFor();
  await page.getByText(/Deploying blue: Succeeded/).waitFor({ timeout: 5 * MINUTE });

  step("score in the playground");
  const form = page.getByRole("form", { name: "Score a row" });
  await form.waitFor({ timeout: 2 * MINUTE });
  await form.getByLabel("sepal_length (number)").fill("5.1");
  await form.getByLabel("sepal_width (number)").fill("3.5");
  await form.getByLabel("petal_length (number)").fill("1.4");
  await form.getByLabel("petal_width (number)").fill("0.2");
  await form.getByRole("button", { name: "Score" }).click();
  const prediction = page.getByRole("status", { name: "Predictions" });
  await prediction.waitFor({ timeout: 2 * MINUTE });
  figures.prediction = (await prediction.locator("output").textContent())?.trim();
  if (!figures.prediction) throw new Error("no prediction shown");
  await prediction.getByText("blue", { exact: true }).waitFor(); // the deployment that answered
  const deployments = page.getByRole("table", { name: "Deployments list" });
  await deployments.getByLabel("status Succeeded").waitFor();
  await shot("endpoint");

  step("the other screens");
  for (const [link, heading, name] of [
    ["Experiments", "Experiments", "experiments"],
    ["Models", "Models", "models"],
    ["Operations", "Operations", "operations"],
    ["Members", "Members and roles", "members"],
    ["Audit", "Audit trail", "audit"],
    ["Datasets", "Datasets", "datasets"],
    ["Tenants (admin)", "Tenants", "tenants"],
  ]) {
    await page.getByRole("link", { name: link, exact: true }).click();
    await page.getByRole("heading", { name: heading, exact: true }).waitFor();
    await page.waitForLoadState("networkidle");
    if (name === "members") await page.getByRole("cell", { name: `alice-${tag}` }).waitFor();
    if (name === "audit") await page.getByRole("table", { name: "Audit entries" }).waitFor();
    if (name === "operations") {
      const ops = page.getByRole("table", { name: "Operations" });
      await ops.getByRole("cell", { name: "training", exact: true }).first().waitFor();
      await ops.getByRole("cell", { name: "deployment", exact: true }).first().waitFor();
    }
    if (name === "tenants") await page.getByRole("cell", { name: `acme-${tag}` }).waitFor();
    await shot(name);
  }

  step("narrow window");
  await page.setViewportSize({ width: 420, height: 800 });
  await page.getByRole("link", { name: "Runs", exact: true }).click();
  await page.getByRole("table", { name: "Runs" }).waitFor();
  await shot("runs-narrow");

  if (consoleErrors.length) throw new Error(`errors in the page: ${consoleErrors.join("; ")}`);
  console.log("console-figures " + JSON.stringify(figures));
} catch (e) {
  await shot("failure").catch(() => {});
  console.error(`[console-e2e] failed at ${page.url()}: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
