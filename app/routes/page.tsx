import { RoutesPage } from "../components/RoutesPage";

export const metadata = { title: "Routes · IVR Studio" };

export default function Routes() {
  return <RoutesPage />;
}
