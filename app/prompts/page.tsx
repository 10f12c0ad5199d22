import { PromptsPage } from "../components/PromptsPage";

export const metadata = { title: "Prompts · IVR Studio" };

export default function Prompts() {
  return <PromptsPage />;
}
