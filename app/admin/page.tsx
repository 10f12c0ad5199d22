import { AdminPage } from "../components/AdminPage";

export const metadata = { title: "Users & settings · IVR Studio" };

export default function Admin() {
  return <AdminPage />;
}
