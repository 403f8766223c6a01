/**
 * A result is never written in place of an input reached through a symbolic link: `senko link.wav --out
 * talk.wav` with link.wav -> talk.wav (or a linked directory) replaced the recording with its JSON.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { planOutputs } from "../src/cli/output-plan.ts";
import { replacesInput } from "../src/output/writers.ts";

const root = resolve(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "senko-over-input-"));
afterAll(() => rmSync(dir, { recursive: true }));
const at = (...parts: string[]) => join(dir, ...parts);
mkdirSync(at("real"));
writeFileSync(at("real", "talk.wav"), "RIFF");
writeFileSync(at("real", "talk.json"), "{}");
symlinkSync(at("real", "talk.wav"), at("link.wav"));
symlinkSync(at("real"), at("linked"));

test("the output's name is an input's file through a link of the input or of a directory", () => {
  expect(replacesInput(at("real", "talk.wav"), at("link.wav"))).toBe(true);
  expect(replacesInput(at("linked", "talk.wav"), at("real", "talk.wav"))).toBe(true);
  expect(replacesInput(at("real", "talk.wav"), at("linked", "talk.wav"))).toBe(true);
  // A write replaces a link at the output's name, not what it points to: the recording stays.
  expect(replacesInput(at("link.wav"), at("real", "talk.wav"))).toBe(false);
  expect(replacesInput(at("real", "new.json"), at("link.wav"))).toBe(false);
  expect(replacesInput(at("nowhere", "talk.wav"), at("link.wav"))).toBe(false);
});

test("senko <audio> and senko attribute refuse it before any work", () => {
  const refusal = (values: Parameters<typeof planOutputs>[0], inputs: string[]) => {
    try {
      planOutputs(values, inputs);
      return "planned";
    } catch (error) {
      return (error as Error).message;
    }
  };
  expect(refusal({ out: at("real", "talk.wav") }, [at("link.wav")])).toBe(`${at("real", "talk.wav")} is an input: writing the result there would replace it`);
  expect(refusal({ "out-dir": at("linked"), format: "json" }, [at("elsewhere.wav")])).toBe("planned");
  expect(refusal({ "out-dir": at("linked"), transcript: at("real", "talk.json") }, [at("talk.wav")])).toBe(`${at("linked", "talk.json")} is an input: writing the result there would replace it`);
  const attribute = Bun.spawnSync([join(root, "node_modules", ".bin", "bun"), join(root, "diarize.ts"), "attribute", at("linked", "talk.json"), "d.rttm", "--out", at("real", "talk.json")], { stderr: "pipe" });
  expect(attribute.stderr.toString()).toBe(`senko: ${at("real", "talk.json")} is an input: writing the result there would replace it\n`);
  expect(attribute.exitCode).toBe(2);
  expect(readFileSync(at("real", "talk.wav"), "utf8")).toBe("RIFF");
});
