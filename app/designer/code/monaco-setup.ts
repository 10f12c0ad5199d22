"use client";
// Monaco comes from our own server (app/monaco/vs/[...path]/route.ts serves the installed
// monaco-editor package's AMD build), never from a CDN.
import { loader } from "@monaco-editor/react";

export const MONACO_VS_PATH = "/monaco/vs";

let configured = false;
export function configureMonaco(): void {
  if (configured) return;
  configured = true;
  loader.config({ paths: { vs: MONACO_VS_PATH } });
}
