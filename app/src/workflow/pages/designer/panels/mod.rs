//! The side panel: the template's properties and the selected node's or arm's settings.

#[allow(clippy::wildcard_imports)]
use super::*;

mod arm;
mod node;

use self::{arm::*, node::*};

pub(in crate::workflow::pages::designer) type Problems = Memo<Found>;

#[component]
pub(in crate::workflow::pages::designer) fn SidePanel(problems: Problems) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    move || {
        match ed.sel.get() {
        Sel::Node(id) if ed.doc.with_untracked(|d| design::node(&d.flow, &id).is_some()) => {
            view! { <NodePanel id/> }.into_any()
        }
        Sel::Arm(id, a) => view! { <ArmPanel id arm=a/> }.into_any(),
        _ => view! {
            <div class="panel-section">
                <h2>{l.t(W::template)}</h2>
                <TemplateProps/>
                <h3>{l.t(W::checks)}</h3>
                {move || {
                    let all = problems.with(|p| p.2.clone());
                    if all.is_empty() {
                        view! { <p class="ok-text">{l.t(W::no_problems_ready_to_publish)}</p> }.into_any()
                    } else {
                        view! { <ul class="problem-list" id="problem-list">{all.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul> }.into_any()
                    }
                }}
            </div>
        }
        .into_any(),
    }
    }
}

#[component]
pub(in crate::workflow::pages::designer) fn TemplateProps() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let text = move |label: &'static str,
                     get: fn(&TemplateDoc) -> String,
                     set: fn(&mut TemplateDoc, String),
                     tag: &'static str| {
        view! {
            <label class="field"><span>{label}</span>
                <input prop:value=move || ed.doc.with(get) on:input=move |e| { let v = event_target_value(&e); ed.edit(Some(tag.into()), move |d| { set(d, v); Ok(()) }); }/>
            </label>
        }
    };
    view! {
        {text(l.t(W::name), |d| d.name.clone(), |d, v| d.name = v, "t-name")}
        {text(l.t(W::category), |d| d.category.clone(), |d, v| d.category = v, "t-cat")}
        {text(l.t(W::description), |d| d.description.clone(), |d, v| d.description = v, "t-desc")}
        <label class="field"><span>{l.t(W::icon)}</span>
            <select on:change=move |e| { let v = event_target_value(&e); ed.edit(None, move |d| { d.icon = v; Ok(()) }); }>
                {["doc", "receipt", "calendar", "cart", "box", "car", "user-plus"].into_iter().map(|i| view! {
                    <option value=i selected=move || ed.doc.with(|d| d.icon == i)>{i}</option>
                }).collect_view()}
            </select>
        </label>
    }
}
