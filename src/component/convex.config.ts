import { defineComponent } from "convex/server";

const component = defineComponent("analytics");

export default component;
