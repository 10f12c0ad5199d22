import { LoginPage } from "../components/LoginPage";

export const metadata = { title: "Set up · IVR Studio" };

/** First-run setup (the server prints a link here with ?token=...): the same form as /login. */
export default function Setup() {
  return <LoginPage />;
}
