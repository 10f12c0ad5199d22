import { GatewaysPage } from "../components/GatewaysPage";

export const metadata = { title: "Gateways & SIP users · IVR Studio" };

export default function Gateways() {
  return <GatewaysPage />;
}
