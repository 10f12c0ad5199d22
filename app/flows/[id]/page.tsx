import { FlowEditorPage } from "../../components/FlowEditorPage";

export default async function FlowEditor({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <FlowEditorPage id={id} />;
}
