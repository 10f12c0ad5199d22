// The runtime's port of switch_separate_string, shared with the generator tests.
export * from "../../../runtime/host/fs-split";
