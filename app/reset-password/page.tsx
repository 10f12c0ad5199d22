import { ResetPasswordPage } from "../components/admin/ResetPasswordPage";

export const metadata = { title: "Reset password · IVR Studio" };

/** The one-time link an admin issues: /reset-password#token=... */
export default function ResetPassword() {
  return <ResetPasswordPage />;
}
