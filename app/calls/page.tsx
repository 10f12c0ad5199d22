import { CallsPage } from "./CallsPage";

export const metadata = { title: "Calls · IVR Studio" };

export default function Calls() {
  return <CallsPage />;
}
