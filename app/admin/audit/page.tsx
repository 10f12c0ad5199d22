import { AuditLogPage } from "../../components/admin/AuditLogPage";

export const metadata = { title: "Audit log · IVR Studio" };

export default function Audit() {
  return <AuditLogPage />;
}
