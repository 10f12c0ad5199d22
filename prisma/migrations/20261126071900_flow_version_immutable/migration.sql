-- Published flow versions never change: refuse UPDATE on "FlowVersion" in the database itself,
-- whatever client writes to it. (Hand-written migration; Prisma does not model triggers.)
CREATE OR REPLACE FUNCTION "ivr_flow_version_immutable"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'FlowVersion % of flow % is published and cannot be changed', OLD."number", OLD."flowId";
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "FlowVersion_immutable"
  BEFORE UPDATE ON "FlowVersion"
  FOR EACH ROW EXECUTE FUNCTION "ivr_flow_version_immutable"();
