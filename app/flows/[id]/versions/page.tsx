import { VersionHistory } from "../../../components/VersionHistory";

export default async function Versions({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <VersionHistory id={id} />;
}
