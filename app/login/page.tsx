import { LoginPage } from "../components/LoginPage";

export const metadata = { title: "Sign in · IVR Studio" };

export default function Login() {
  return <LoginPage />;
}
