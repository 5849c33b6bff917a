// The Airflow UI in a real browser: Debian's headless Chromium driven by playwright-core (no browser download).
//
// Logs in, opens the trigger form of webex_wholesale_onboarding, submits an order, waits for the run to succeed,
// opens the run's page and its "Wholesale report" tab, then the "Wholesale" page (orders) and the run's audit,
// saving a screenshot of each. Run by scripts/browser_check.py (`make browser-check`), which starts Airflow or
// points this at a running one. Any step that does not happen fails the check (exit code 1).
//
// The order is the form's as it stands (the demo order, for the simulator) under a run id typed into the form, so
// the check also passes against an Airflow that onboarded it before: a repeated order adopts what exists.
//
// Environment: AIRFLOW_URL, AIRFLOW_PASSWORD (user admin), SCREENSHOT_DIR, RUN_ID (the run id to give the run),
// CHROMIUM (default /usr/bin/chromium), RUN_TIMEOUT_S (default 600).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const DAG_ID = 'webex_wholesale_onboarding';
const base = required('AIRFLOW_URL').replace(/\/$/, '');
const password = required('AIRFLOW_PASSWORD');
const shots = required('SCREENSHOT_DIR');
const runId = required('RUN_ID');
const runTimeoutMs = Number(process.env.RUN_TIMEOUT_S || 600) * 1000;
const VIEWPORT = { width: 1440, height: 900 };
// Headless, and nothing that reaches beyond this machine: no QUIC, sync, component updates or background fetches.
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function step(text) {
  console.log(`browser-check: ${text}`);
}

async function save(page, name, locator) {
  const file = path.join(shots, `${name}.png`);
  await (locator ?? page).screenshot({ path: file, ...(locator ? {} : { fullPage: true }) });
  step(`saved ${file}`);
}

async function logIn(page) {
  await page.goto(`${base}/`);
  await page.waitForURL(/\/auth\/login/);
  await page.locator('input[name=username]').fill('admin');
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/auth'));
  step('logged in as admin');
}

// The trigger form scrolls inside its dialog: grow the viewport to the dialog's height to capture all of it.
async function openTriggerForm(page) {
  await page.goto(`${base}/dags/${DAG_ID}`);
  await page.getByRole('button', { name: /^Trigger/ }).first().click();
  const form = page.locator('.chakra-dialog__content').filter({ hasText: `Trigger Dag - ${DAG_ID}` });
  await form.waitFor();
  await form.locator('#element_externalId').waitFor();
  return form;
}

// Returns the order's externalId, which the report and the Wholesale page must show.
async function submitOrder(page, form) {
  const externalId = await form.locator('#element_externalId').inputValue();
  const height = await page.locator('.chakra-dialog__positioner').evaluate((element) => element.scrollHeight);
  await page.setViewportSize({ width: VIEWPORT.width, height: height + 40 });
  // Let the dialog lay out and paint at the new size: its code editors re-measure themselves after a resize.
  await form.getByRole('button', { name: 'Trigger', exact: true }).waitFor();
  await page.waitForTimeout(2000);
  await save(page, '1-form', form);
  await page.setViewportSize(VIEWPORT);
  // Advanced Options replaces the parameters in the dialog's accordion: open it after the screenshot.
  await form.getByText('Advanced Options').click();
  await form.locator('input[name=dagRunId]').fill(runId);
  await form.getByRole('button', { name: 'Trigger', exact: true }).click();
  await form.waitFor({ state: 'detached' });
  step(`triggered run ${runId} for the order with externalId ${externalId}`);
  return externalId;
}

// The UI keeps the user's JWT in the _token cookie; the REST API takes the same token as a bearer.
async function apiToken(context) {
  const cookie = (await context.cookies(base)).find((c) => c.name === '_token');
  if (!cookie) throw new Error('no _token cookie after logging in');
  return cookie.value;
}

async function waitForRun(context) {
  const headers = { Authorization: `Bearer ${await apiToken(context)}` };
  const url = `${base}/api/v2/dags/${DAG_ID}/dagRuns/${encodeURIComponent(runId)}`;
  const deadline = Date.now() + runTimeoutMs;
  let state = 'not created';
  while (Date.now() < deadline) {
    const response = await context.request.get(url, { headers, timeout: 120000 });
    if (response.ok()) state = (await response.json()).state;
    else if (response.status() !== 404) throw new Error(`GET ${url}: ${response.status()}`);
    if (state === 'success') return;
    if (state === 'failed') throw new Error(`run ${runId} failed`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  throw new Error(`run ${runId} did not succeed in time (last seen: ${state})`);
}

// An external view is an iframe in Airflow's page: wait for its content before the screenshot.
async function pluginFrame(page, text) {
  const frame = page.frameLocator('iframe').first();
  await frame.getByText(text, { exact: false }).first().waitFor({ timeout: 60000 });
  return frame;
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: FLAGS });
  try {
    const context = await browser.newContext({ viewport: VIEWPORT });
    context.setDefaultTimeout(120000);
    const page = await context.newPage();
    await logIn(page);
    const form = await openTriggerForm(page);
    const externalId = await submitOrder(page, form);
    await waitForRun(context);
    const runPage = `${base}/dags/${DAG_ID}/runs/${encodeURIComponent(runId)}`;
    step(`run ${runId} succeeded`);

    await page.goto(runPage);
    await page.getByText(runId).first().waitFor();
    await page.getByText('onboarding_report').first().waitFor();
    await save(page, '2-run');

    // The plugin's views, found by their url_route (their labels are the plugin's to word).
    await page.locator('a[href$="/plugin/wholesale-run-report"]').first().click();
    await pluginFrame(page, externalId);
    await save(page, '3-report');

    await page.locator('a[href$="/plugin/wholesale-onboarding"]').first().click();
    await pluginFrame(page, externalId);
    await save(page, '4-queue');

    // The page the tab shows, on its own: its audit records come after the report; the screenshot starts there.
    await page.goto(`${base}/wholesale/runs/${DAG_ID}/${encodeURIComponent(runId)}`);
    const audit = page.getByRole('heading', { name: /^Audit records/ });
    await audit.waitFor();
    await page.locator('table code', { hasText: /^POST / }).first().waitFor();
    await audit.scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, -20));
    await page.screenshot({ path: path.join(shots, '5-audit.png') });
    step(`saved ${path.join(shots, '5-audit.png')}`);
    step('OK');
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`browser-check FAILED: ${error.message}`);
  process.exit(1);
});
