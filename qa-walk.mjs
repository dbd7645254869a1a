// QA scratch runner: node qa-walk.mjs /tmp/qa/step.mjs [state-name]
import { chromium } from "@playwright/test";
import fs from "node:fs";
import { pathToFileURL } from "node:url";
const [stepFile, stateName = "none", vp = "desktop"] = process.argv.slice(2);
const BASE = "http://127.0.0.1:3900";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
const statePath = `/tmp/qa/state-${stateName}.json`;
const viewport = vp.startsWith("phone") ? { width: 390, height: 844 } : { width: 1280, height: 800 };
const ctx = await browser.newContext({ baseURL: BASE, viewport, acceptDownloads: true, ...(vp === "phone" ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}), ...(stateName !== "none" && fs.existsSync(statePath) ? { storageState: statePath } : {}) });
const page = await ctx.newPage();
const logs = [];
page.on("console", (m) => { if (["error", "warning"].includes(m.type())) logs.push(`[console.${m.type()}] ${m.text()}`); });
page.on("pageerror", (e) => logs.push(`[pageerror] ${e.message}`));
page.on("response", (r) => { if (r.status() >= 400) logs.push(`[http ${r.status()}] ${r.request().method()} ${r.url()}`); });
const shot = async (name, opts = {}) => { const p = `/tmp/qa-shots/${name}${vp === "phone" ? "-phone" : ""}.png`; await (opts.locator ? opts.locator.screenshot({ path: p }) : page.screenshot({ path: p, fullPage: opts.full ?? true, ...(opts.clip ? { clip: opts.clip, fullPage: true } : {}) })); console.log("shot", p); };
const mod = await import(pathToFileURL(stepFile).href);
try {
  await mod.default({ page, ctx, shot, BASE, browser, log: console.log });
} catch (e) {
  console.log("STEP ERROR:", e.message.split("\n").slice(0, 8).join("\n"));
  await shot("error-" + stateName + "-" + Date.now()).catch(() => {});
} finally {
  if (stateName !== "none") await ctx.storageState({ path: statePath });
  console.log(logs.join("\n"));
  await browser.close();
}
