import { ClusterPage } from "../components/ClusterPage";

export const metadata = { title: "Cluster · IVR Studio" };

export default function Cluster() {
  return <ClusterPage />;
}
