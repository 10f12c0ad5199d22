"use client";
// Monaco comes from our own server (public/monaco/vs, copied from the installed
// monaco-editor package by next.config.js), never from a CDN.
import { loader } from "@monaco-editor/react";

export const MONACO_VS_PATH = "/monaco/vs";

let configured = false;
export function configureMonaco(): void {
  if (configured) return;
  configured = true;
  loader.config({ paths: { vs: MONACO_VS_PATH } });
}
