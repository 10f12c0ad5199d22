export * from "./catalog";
export * from "./graph";
export * from "./diagnostics";
export * from "./hangup-causes";
export * from "./validate";
export * from "./regex-subset";
export * from "./http-hosts";
export * from "./prompts";
