import { CallDetailPage } from "../CallDetailPage";

export const metadata = { title: "Call · IVR Studio" };

export default async function Call({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <CallDetailPage id={id} />;
}
