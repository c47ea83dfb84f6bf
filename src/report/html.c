/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The report as one HTML page that works offline (tj/report/view.h): tables
 * and the process tree are written as HTML, so the page reads without
 * JavaScript; the script makes the tables sortable and draws the zoomable
 * timeline as SVG from a JSON block.  A Content-Security-Policy forbids
 * every fetch.  The page reads "#sort=TABLE:COLUMN[:desc]" and "#zoom=N"
 * from its address, which is how the browser test drives it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/util.h"
#include "tj/report/chain.h"
#include "tj/report/view.h"

/* The page as it is built; given a sink, it goes out in pieces, so a page
 * of a huge log is never held whole (notes/reports.md). */
struct page {
	struct tj_buf b; /* first: the builders take the page as a struct tj_buf * */
	int (*sink)(void *ctx, const char *s, size_t n);
	void *ctx;
	int error;
};

static void flush(struct page *pg)
{
	if (!pg->error && pg->b.len)
		pg->error = pg->sink(pg->ctx, pg->b.s, pg->b.len);
	pg->b.len = 0;
	if (pg->b.s)
		pg->b.s[0] = '\0';
}

static void spill(struct tj_buf *b)
{
	struct page *pg = (struct page *)b;
	if (pg->sink && b->len >= (256u << 10))
		flush(pg);
}

static void esc(struct tj_buf *b, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		switch (*s) {
		case '<': tj_buf_add(b, "&lt;"); break;
		case '>': tj_buf_add(b, "&gt;"); break;
		case '&': tj_buf_add(b, "&amp;"); break;
		case '"': tj_buf_add(b, "&quot;"); break;
		case '\'': tj_buf_add(b, "&#39;"); break;
		default: tj_buf_addn(b, s, 1);
		}
	}
}

/* A JSON string that is safe inside <script>: no "<", ">" or "&" as such. */
static void js(struct tj_buf *b, const char *s)
{
	if (!s) {
		tj_buf_add(b, "null");
		return;
	}
	tj_buf_add(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			tj_buf_addf(b, "\\%c", c);
		else if (c < 0x20 || c == '<' || c == '>' || c == '&')
			tj_buf_addf(b, "\\u%04x", c);
		else
			tj_buf_addn(b, s, 1);
	}
	tj_buf_add(b, "\"");
}

static double ms_since(uint64_t us, uint64_t base)
{
	return us && us >= base ? (double)(us - base) / 1000.0 : 0;
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;
	return s ? s + 1 : p ? p : "?";
}

static const char *kind_name(enum tj_item_kind k)
{
	switch (k) {
	case TJ_ITEM_FIRST_USE: return "first-use";
	case TJ_ITEM_DENIED: return "denied";
	case TJ_ITEM_KILLED: return "killed";
	case TJ_ITEM_WOULD_DENY: return "would-deny";
	case TJ_ITEM_LIMIT: return "limit";
	case TJ_ITEM_NETWORK: return "network";
	case TJ_ITEM_FORK: return "fork";
	case TJ_ITEM_EXEC: return "exec";
	case TJ_ITEM_EXIT: return "exit";
	}
	return "?";
}

static const char style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}"
	"header{background:#1d2330;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}"
	"header p{margin:4px 0 0;color:#c9d1e0}nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #d8dce3;"
	"padding:6px 24px;z-index:2}nav a{margin-right:16px;color:#2457c5;text-decoration:none}"
	"section{background:#fff;margin:16px 24px;padding:12px 18px;border:1px solid #d8dce3;border-radius:6px}"
	"h2{font-size:16px;margin:4px 0 10px}table{border-collapse:collapse;width:100%}"
	"th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eceff3;vertical-align:top}"
	"th{cursor:pointer;user-select:none;background:#f0f2f5;position:relative}th.asc:after{content:' \\25B2'}"
	"th.desc:after{content:' \\25BC'}td.num,th.num{text-align:right}code,.mono{font-family:ui-monospace,monospace;"
	"font-size:12.5px}.killed{color:#b3261e;font-weight:600}.denied,.would-deny{color:#9a6700;font-weight:600}"
	".note{color:#5b6475}.bad{background:#fff4e5;border-left:4px solid #e8a33d;padding:6px 10px}"
	"ul.tree{list-style:none;padding-left:18px;margin:2px 0}ul.tree li{margin:2px 0}ul.tree>li:before{content:'\\2514 ';"
	"color:#9aa3b2}.chain{margin:6px 0;font-family:ui-monospace,monospace;font-size:12.5px}"
	".chain .count{display:inline-block;min-width:5em;text-align:right;margin-right:10px;color:#5b6475}"
	".frame{white-space:nowrap}.where{color:#5b6475}#timeline-box{overflow:hidden;border:1px solid #d8dce3;"
	"cursor:grab;background:#fbfcfd}#timeline-box:active{cursor:grabbing}.tools button{margin-right:6px}"
	"svg text{font:11px system-ui,sans-serif}.legend span{margin-right:14px}.legend i{display:inline-block;"
	"width:10px;height:10px;margin-right:4px;border-radius:2px}";

/* Sorting, the timeline, the hash the tests use.  Plain ES2015, no library. */
static const char script[] =
	"'use strict';\n"
	"const DATA=JSON.parse(document.getElementById('report-data').textContent);\n"
	"function cellValue(td){const v=td.getAttribute('data-v');if(v!==null)return parseFloat(v);return td.textContent;}\n"
	"function sortTable(table,col,desc){const tb=table.tBodies[0];const rows=Array.from(tb.rows);\n"
	" const num=table.tHead.rows[0].cells[col].classList.contains('num');\n"
	" rows.sort((a,b)=>{let x=cellValue(a.cells[col]),y=cellValue(b.cells[col]);\n"
	"  let r=num?(x-y):String(x).localeCompare(String(y));return desc?-r:r;});\n"
	" rows.forEach(r=>tb.appendChild(r));\n"
	" Array.from(table.tHead.rows[0].cells).forEach((th,i)=>{th.classList.remove('asc','desc');\n"
	"  if(i===col)th.classList.add(desc?'desc':'asc');});table.setAttribute('data-sorted',col+(desc?':desc':':asc'));}\n"
	"document.querySelectorAll('table.sortable').forEach(t=>{Array.from(t.tHead.rows[0].cells).forEach((th,i)=>{\n"
	" th.addEventListener('click',()=>sortTable(t,i,th.classList.contains('asc')));});});\n"
	"const COLORS={'first-use':'#3c8d4f','denied':'#d49b00','would-deny':'#d49b00','killed':'#b3261e',\n"
	" 'limit':'#8e24aa','network':'#e8710a','fork':'#5b6475','exec':'#2457c5','exit':'#1d2330'};\n"
	"const NS='http://www.w3.org/2000/svg',STARTUP='#a8d5b3';\n"
	"// Start-up lasts, after each exec, until the dynamic loader's last call\n"
	"// (notes/reports.md): first uses up to then are the loader's.\n"
	"function phases(its){let seg=[];const end=()=>{let last=-1;seg.forEach(x=>{if(x.l)last=Math.max(last,x.t);});\n"
	" seg.forEach(x=>{x.su=x.k==='first-use'&&x.t<=last;});seg=[];};\n"
	" its.slice().sort((a,b)=>a.t-b.t).forEach(x=>{if(x.k==='exec')end();seg.push(x);});end();}\n"
	"function el(n,a,p){const e=document.createElementNS(NS,n);for(const k in a)e.setAttribute(k,a[k]);if(p)p.appendChild(e);return e;}\n"
	"let view={x0:0,x1:1},full={x0:0,x1:1},svg,W=1000,LEFT=220;\n"
	"function buildTimeline(){const box=document.getElementById('timeline-box');\n"
	" let rows=[];DATA.runs.forEach((run,ri)=>{rows.push({run:ri,head:true,label:'run '+(ri+1)+': '+(run.command||'?')});\n"
	"  const order=[];const kids=i=>run.procs.map((p,k)=>[p,k]).filter(([p])=>p.parent===i).sort((a,b)=>a[0].first-b[0].first);\n"
	"  const walk=(i,d)=>{kids(i).forEach(([p,k])=>{order.push([p,d]);walk(k,d+1);});};walk(-1,0);\n"
	"  order.forEach(([p,d])=>rows.push({run:ri,proc:p,depth:d}));\n"
	"  if(run.items.length)rows.push({run:ri,items:run.items,label:'(no process)'});});\n"
	" let maxT=1;DATA.runs.forEach(r=>{maxT=Math.max(maxT,r.end);r.procs.forEach(p=>{maxT=Math.max(maxT,p.last);});});\n"
	" full={x0:-maxT*0.01,x1:maxT*1.02};view={...full};const H=24*rows.length+30;\n"
	" svg=el('svg',{id:'timeline-svg',width:'100%',height:H,viewBox:'0 0 '+W+' '+H,preserveAspectRatio:'none'},box);\n"
	" svg.setAttribute('data-rows',rows.length);const g=el('g',{id:'tl-marks'},svg);\n"
	" rows.forEach((r,i)=>{const y=20+i*24;\n"
	"  if(r.head){const t=el('text',{x:4,y:y+12,'font-weight':'bold'},svg);t.textContent=r.label.length>34?r.label.slice(0,33)+'\\u2026':r.label;\n"
	"   el('title',{},t).textContent=r.label;return;}\n"
	"  const label=r.proc?('\\u00a0'.repeat(2*r.depth)+r.proc.pid+' '+(r.proc.program||'?').split('/').pop()):r.label;\n"
	"  el('text',{x:4,y:y+12},svg).textContent=label;\n"
	"  if(r.proc){const lane=el('rect',{class:'lane',x:0,y:y+2,height:14,width:0,fill:'#dfe6f3','data-a':r.proc.first,'data-b':Math.max(r.proc.last,r.proc.first+0.001),'data-pid':r.proc.pid},g);\n"
	"   el('title',{},lane).textContent=r.proc.pid+' '+(r.proc.program||'')+(r.proc.argv?'\\n'+r.proc.argv:'');}\n"
	"  const its=r.proc?r.proc.items:r.items;phases(its);\n"
	"  its.forEach(it=>{const m=el('rect',{class:'mark','data-kind':it.k,'data-a':it.t,y:y+(it.k==='first-use'?5:0),\n"
	"    height:it.k==='first-use'?8:18,width:it.k==='first-use'?2:4,fill:it.su?STARTUP:(COLORS[it.k]||'#333')},g);\n"
	"   if(it.su)m.setAttribute('data-phase','start-up');\n"
	"   el('title',{},m).textContent=it.k+(it.n?' '+it.n:'')+(it.x?': '+it.x:'')+' at +'+it.t.toFixed(3)+' ms'+(it.su?' (start-up)':'');});});\n"
	" const axis=el('g',{id:'tl-axis'},svg);draw();\n"
	" box.addEventListener('wheel',e=>{e.preventDefault();const r=box.getBoundingClientRect();\n"
	"  const f=(e.clientX-r.left)/r.width;zoomAt(LEFT/W+f*(1-LEFT/W),e.deltaY<0?0.8:1.25);},{passive:false});\n"
	" let drag=null;box.addEventListener('mousedown',e=>{drag={x:e.clientX,v:{...view}};});\n"
	" window.addEventListener('mouseup',()=>{drag=null;});\n"
	" window.addEventListener('mousemove',e=>{if(!drag)return;const r=box.getBoundingClientRect();\n"
	"  const d=(e.clientX-drag.x)/(r.width*(1-LEFT/W))*(drag.v.x1-drag.v.x0);view={x0:drag.v.x0-d,x1:drag.v.x1-d};draw();});}\n"
	"function xOf(t){return LEFT+(t-view.x0)/(view.x1-view.x0)*(W-LEFT);}\n"
	"function draw(){svg.querySelectorAll('#tl-marks rect').forEach(r=>{const a=parseFloat(r.getAttribute('data-a'));\n"
	"  let x=xOf(a);if(r.classList.contains('lane')){const b=xOf(parseFloat(r.getAttribute('data-b')));\n"
	"   const xa=Math.max(LEFT,x),xb=Math.min(W,b);r.setAttribute('x',xa);r.setAttribute('width',Math.max(0,xb-xa));}\n"
	"  else{r.setAttribute('x',x);r.setAttribute('visibility',x<LEFT||x>W?'hidden':'visible');}});\n"
	" const axis=svg.getElementById?svg.getElementById('tl-axis'):document.getElementById('tl-axis');axis.innerHTML='';\n"
	" const span=view.x1-view.x0;let step=Math.pow(10,Math.floor(Math.log10(span/5)));\n"
	" if(span/step>12)step*=2;if(span/step>12)step*=2.5;\n"
	" for(let t=Math.ceil(view.x0/step)*step;t<=view.x1;t+=step){const x=xOf(t);if(x<LEFT)continue;\n"
	"  el('line',{x1:x,x2:x,y1:12,y2:svg.viewBox.baseVal.height,stroke:'#e3e7ee'},axis);\n"
	"  el('text',{x:x+2,y:10,fill:'#5b6475'},axis).textContent=(t>=1000?(t/1000).toFixed(2)+' s':t.toFixed(t<1?2:0)+' ms');}\n"
	" svg.setAttribute('data-view',view.x0.toFixed(3)+':'+view.x1.toFixed(3));}\n"
	"function zoomAt(f,k){const t=view.x0+(f-LEFT/W)/(1-LEFT/W)*(view.x1-view.x0);\n"
	" view={x0:t-(t-view.x0)*k,x1:t+(view.x1-t)*k};draw();}\n"
	"function zoom(k){zoomAt(LEFT/W+(1-LEFT/W)/2,k);}\n"
	"document.getElementById('zoom-in').addEventListener('click',()=>zoom(0.5));\n"
	"document.getElementById('zoom-out').addEventListener('click',()=>zoom(2));\n"
	"document.getElementById('zoom-reset').addEventListener('click',()=>{view={...full};draw();});\n"
	"buildTimeline();\n"
	"function applyHash(){const h=new URLSearchParams(location.hash.slice(1));\n"
	" const s=h.get('sort');if(s){const [id,col,dir]=s.split(':');const t=document.getElementById(id);\n"
	"  if(t)sortTable(t,parseInt(col,10),dir==='desc');}\n"
	" const z=parseFloat(h.get('zoom'));if(z>0)zoom(1/z);}\n"
	"applyHash();document.body.setAttribute('data-ready','yes');\n";

static void add_runs(struct tj_buf *b, const struct tj_report_model *m)
{
	tj_buf_add(b, "<section id=\"runs\"><h2>Runs</h2><table class=\"sortable\" id=\"runs-table\"><thead><tr>"
		      "<th class=\"num\">#</th><th>log</th><th>command</th><th>mode</th><th>profile</th><th>end</th>"
		      "<th class=\"num\">seconds</th><th>record</th></tr></thead><tbody>\n");
	for (size_t r = 0; r < m->nruns; r++) {
		const struct tj_report_run *run = &m->runs[r];
		tj_buf_addf(b, "<tr><td class=\"num\" data-v=\"%zu\">%zu</td><td>", r + 1, r + 1);
		esc(b, base_name(run->log));
		tj_buf_add(b, "</td><td><code>");
		esc(b, run->command);
		tj_buf_add(b, "</code></td><td>");
		esc(b, run->mode);
		tj_buf_add(b, "</td><td>");
		esc(b, run->profile ? base_name(run->profile) : "");
		tj_buf_add(b, "</td><td>");
		if (!run->has_exit)
			tj_buf_add(b, "no exit event (cut short)");
		else if (run->seccomp_kill)
			tj_buf_addf(b, "<span class=\"killed\">killed for a syscall (%d)</span>", run->exit_code);
		else
			tj_buf_addf(b, "exit %d", run->exit_code);
		tj_buf_addf(b, "</td><td class=\"num\" data-v=\"%.3f\">%.3f</td><td>%s%s</td></tr>\n",
			    (double)run->wall_ms / 1000.0, (double)run->wall_ms / 1000.0,
			    run->has_exit && !run->complete ? "incomplete" : "complete",
			    run->rec_usage ? ", allowed calls" : "");
	}
	tj_buf_add(b, "</tbody></table>\n");
	for (size_t i = 0; i < m->nlogs; i++) {
		const struct tj_report_log *l = &m->logs[i];
		if (l->bad) {
			tj_buf_add(b, "<p class=\"bad\">");
			esc(b, l->path);
			tj_buf_addf(b, ": %zu bad line%s; the first is line <b>%zu</b>: ", l->bad,
				    l->bad == 1 ? "" : "s", l->first_bad_line);
			esc(b, l->first_bad);
			tj_buf_add(b, "</p>\n");
		}
		if (l->skipped) {
			tj_buf_add(b, "<p class=\"bad\">");
			esc(b, l->path);
			tj_buf_addf(b, ": %zu event%s skipped: ", l->skipped, l->skipped == 1 ? "" : "s");
			esc(b, l->first_skipped);
			tj_buf_add(b, "</p>\n");
		}
	}
	tj_buf_add(b, "</section>\n");
}

/* Times are counted from the start of the run they happened in. */
static uint64_t run_start(const struct tj_report_model *m, size_t run)
{
	return run < m->nruns ? m->runs[run].start_us : 0;
}

/* One row per syscall over every program, most calls first. */
static void add_seen_totals(struct tj_buf *b, const struct tj_report_model *m)
{
	struct total {
		const char *syscall, *rule;
		uint64_t calls, first;
		size_t programs, run;
	} *t = tj_xcalloc(m->nsys + 1, sizeof(*t));
	size_t n = 0;
	for (size_t i = 0; i < m->nsys; i++) {
		const struct tj_report_sys *s = &m->sys[i];
		if (!s->seen)
			continue;
		size_t k = 0;
		while (k < n && strcmp(t[k].syscall, s->syscall) != 0)
			k++;
		if (k == n)
			t[n++] = (struct total){.syscall = s->syscall, .rule = s->seen_rule};
		else if (t[k].rule && s->seen_rule && strcmp(t[k].rule, s->seen_rule) != 0)
			t[k].rule = "(several)";
		t[k].calls += s->seen;
		t[k].programs++;
		if (!t[k].first || (s->first_seen_us && s->first_seen_us < t[k].first)) {
			t[k].first = s->first_seen_us;
			t[k].run = s->first_seen_run;
		}
	}
	for (size_t i = 1; i < n; i++) /* insertion sort: calls, descending */
		for (size_t j = i; j > 0 && t[j].calls > t[j - 1].calls; j--) {
			struct total x = t[j];
			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	tj_buf_addf(b,
		    "<p>%zu syscall%s in all.</p><table class=\"sortable\" id=\"seen-total\"><thead><tr>"
		    "<th>syscall</th><th class=\"num\">calls</th><th class=\"num\">programs</th>"
		    "<th class=\"num\">first (ms)</th><th>rule</th></tr></thead><tbody>\n",
		    n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		spill(b);
		double ms = ms_since(t[i].first, run_start(m, t[i].run));
		tj_buf_add(b, "<tr><td><code>");
		esc(b, t[i].syscall);
		tj_buf_addf(b,
			    "</code></td><td class=\"num\" data-v=\"%llu\">%llu</td><td class=\"num\" data-v=\"%zu\">%zu"
			    "</td><td class=\"num\" data-v=\"%.3f\">%.3f</td><td>",
			    (unsigned long long)t[i].calls, (unsigned long long)t[i].calls, t[i].programs,
			    t[i].programs, ms, ms);
		esc(b, t[i].rule);
		tj_buf_add(b, "</td></tr>\n");
	}
	tj_buf_add(b, "</tbody></table>\n");
	free(t);
}

static void add_seen(struct tj_buf *b, const struct tj_report_model *m)
{
	tj_buf_add(b, "<section id=\"seen\"><h2>Seen: allowed and used</h2>\n");
	if (!m->any_usage)
		tj_buf_add(b, "<p class=\"note\">The runs did not record allowed calls (run with <code>--report=usage "
			      "--log</code>); only what the logs show is listed.</p>\n");
	add_seen_totals(b, m);
	tj_buf_add(b, "<details><summary>per program</summary>\n<table class=\"sortable\" id=\"seen-table\"><thead><tr>"
		      "<th>syscall</th><th>program</th><th class=\"num\">calls</th><th class=\"num\">first (ms)</th>"
		      "<th>rule</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < m->nsys; i++) {
		spill(b);
		const struct tj_report_sys *s = &m->sys[i];
		if (!s->seen)
			continue;
		tj_buf_add(b, "<tr><td><code>");
		esc(b, s->syscall);
		tj_buf_add(b, "</code></td><td title=\"");
		esc(b, s->program);
		tj_buf_add(b, "\">");
		esc(b, base_name(s->program));
		double t = ms_since(s->first_seen_us, run_start(m, s->first_seen_run));
		tj_buf_addf(b,
			    "</td><td class=\"num\" data-v=\"%llu\">%llu</td><td class=\"num\" data-v=\"%.3f\">%.3f</td><td>",
			    (unsigned long long)s->seen, (unsigned long long)s->seen, t, t);
		esc(b, s->seen_rule);
		tj_buf_add(b, "</td></tr>\n");
	}
	tj_buf_add(b, "</tbody></table></details></section>\n");
}

static void add_missed(struct tj_buf *b, const struct tj_report_model *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nsys; i++)
		n += m->sys[i].missed > 0;
	if (!n) {
		tj_buf_add(b, "<section id=\"missed\"><h2>Missed: denied, killed for, or would have been</h2>\n"
			      "<p id=\"missed-none\">None: nothing was denied.</p></section>\n");
		return;
	}
	tj_buf_add(b, "<section id=\"missed\"><h2>Missed: denied, killed for, or would have been</h2>\n"
		      "<table class=\"sortable\" id=\"missed-table\"><thead><tr><th>verdict</th><th>syscall</th>"
		      "<th>program</th><th class=\"num\">calls</th><th class=\"num\">first (ms)</th><th>rule</th>"
		      "<th>action</th><th>first call</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < m->nsys; i++) {
		spill(b);
		const struct tj_report_sys *s = &m->sys[i];
		if (!s->missed)
			continue;
		tj_buf_add(b, "<tr><td class=\"");
		esc(b, s->verdict);
		tj_buf_add(b, "\">");
		esc(b, s->verdict);
		tj_buf_add(b, "</td><td><code>");
		esc(b, s->syscall);
		tj_buf_add(b, "</code></td><td title=\"");
		esc(b, s->program);
		tj_buf_add(b, "\">");
		esc(b, base_name(s->program));
		double t = ms_since(s->first_missed_us, run_start(m, s->first_missed_run));
		tj_buf_addf(b,
			    "</td><td class=\"num\" data-v=\"%llu\">%llu</td><td class=\"num\" data-v=\"%.3f\">%.3f</td><td>",
			    (unsigned long long)s->missed, (unsigned long long)s->missed, t, t);
		esc(b, s->missed_rule);
		tj_buf_add(b, "</td><td>");
		esc(b, s->missed_action);
		tj_buf_add(b, "</td><td><code>");
		esc(b, s->first_call);
		if (s->missed_errno) {
			tj_buf_add(b, " = ");
			esc(b, s->missed_errno);
		}
		tj_buf_add(b, "</code></td></tr>\n");
	}
	tj_buf_add(b, "</tbody></table></section>\n");
}

static void add_unused(struct tj_buf *b, const struct tj_report_model *m, const struct tj_report_view_opts *o)
{
	tj_buf_add(b, "<section id=\"unused\"><h2>Unused: allowed by the profile, never seen</h2>\n");
	const struct tj_report_unused *u = o->unused;
	if (!u)
		tj_buf_add(b, "<p class=\"note\">No profile to compare with.</p>");
	else if (!m->any_usage)
		tj_buf_add(b, "<p class=\"note\">Cannot tell: the runs did not record allowed calls.</p>");
	else {
		tj_buf_add(b, "<p>");
		esc(b, o->profile);
		tj_buf_addf(b,
			    ": %zu name%s in %zu rule%s never used.</p>\n<table class=\"sortable\" id=\"unused-table\">"
			    "<thead><tr><th>rule</th><th>action</th><th class=\"num\">unused</th><th>names</th></tr>"
			    "</thead><tbody>\n",
			    u->names, u->names == 1 ? "" : "s", u->n, u->n == 1 ? "" : "s");
		for (size_t i = 0; i < u->n; i++) {
			spill(b);
			tj_buf_add(b, "<tr><td>");
			esc(b, u->v[i].rule);
			tj_buf_add(b, "</td><td>");
			esc(b, u->v[i].action);
			tj_buf_addf(b, "</td><td class=\"num\" data-v=\"%zu\">%zu of %zu</td><td><code>",
				    u->v[i].names.n, u->v[i].names.n, u->v[i].total);
			for (size_t k = 0; k < u->v[i].names.n; k++) {
				if (k)
					tj_buf_add(b, ", ");
				esc(b, u->v[i].names.v[k]);
			}
			tj_buf_add(b, "</code></td></tr>\n");
		}
		tj_buf_add(b, "</tbody></table>\n");
		if (u->mismatches) {
			tj_buf_add(b, "<p class=\"bad\">The profile does not match the logs: ");
			esc(b, u->first_mismatch);
			tj_buf_add(b, "</p>\n");
		}
	}
	tj_buf_add(b, "</section>\n");
}

/* The siblings from first on, each with its own children. */
static void add_tree(struct tj_buf *b, const struct tj_report_run *run, long first)
{
	if (first < 0)
		return;
	tj_buf_add(b, "<ul class=\"tree\">");
	for (long i = first; i >= 0; i = run->procs[i].next_sibling) {
		spill(b);
		const struct tj_report_proc *p = &run->procs[i];
		tj_buf_addf(b, "<li data-pid=\"%d\"><b>%d</b> <span title=\"", p->pid, p->pid);
		esc(b, p->program);
		tj_buf_add(b, "\">");
		esc(b, base_name(p->program));
		tj_buf_add(b, "</span> <code>");
		esc(b, p->argv);
		tj_buf_add(b, "</code> ");
		if (p->killed)
			tj_buf_add(b, "<span class=\"killed\">killed for a syscall</span>");
		else if (p->has_code)
			tj_buf_addf(b, "<span class=\"note\">exit %d</span>", p->code);
		add_tree(b, run, p->first_child);
		tj_buf_add(b, "</li>");
	}
	tj_buf_add(b, "</ul>\n");
}

static void add_processes(struct tj_buf *b, const struct tj_report_model *m)
{
	tj_buf_add(b, "<section id=\"processes\"><h2>Processes</h2>\n");
	for (size_t r = 0; r < m->nruns; r++) {
		tj_buf_addf(b, "<div class=\"run\" data-run=\"%zu\"><b>run %zu</b>: <code>", r + 1, r + 1);
		esc(b, m->runs[r].command);
		tj_buf_add(b, "</code>");
		if (!m->runs[r].rec_processes)
			tj_buf_add(b,
				   " <span class=\"note\">(processes not recorded: only those seen in calls)</span>");
		add_tree(b, &m->runs[r], m->runs[r].first_root);
		tj_buf_add(b, "</div>\n");
	}
	tj_buf_add(b, "</section>\n");
}

static void add_chains(struct tj_buf *b, const struct tj_report_model *m)
{
	tj_buf_add(b, "<section id=\"chains\"><h2>Call chains (<code>--explain</code>)</h2>\n");
	if (!m->nchains)
		tj_buf_add(b,
			   "<p class=\"note\">None recorded: run with <code>--explain SYSCALL --log FILE</code>.</p>");
	for (size_t i = 0; i < m->nchains; i++) {
		spill(b);
		const struct tj_report_chain *c = &m->chains[i];
		tj_buf_addf(b, "<div class=\"chain\" data-syscall=\"");
		esc(b, c->syscall);
		tj_buf_addf(b, "\"><span class=\"count\">%llu</span><b>", (unsigned long long)c->count);
		esc(b, c->syscall);
		tj_buf_add(b, "</b>");
		const char *prev = NULL;
		for (size_t k = 0; k < c->n; k++) {
			const struct tj_frame *f = &c->frames[k];
			char name[256];
			tj_chain_frame_name(f, name, sizeof(name));
			tj_buf_add(b, " \xe2\x86\x90 <span class=\"frame\">");
			esc(b, name);
			if (f->file && f->line > 0) {
				tj_buf_add(b, " <span class=\"where\">(");
				esc(b, base_name(f->file));
				tj_buf_addf(b, ":%d)</span>", f->line);
			} else if (f->module && (!prev || strcmp(prev, f->module) != 0)) {
				tj_buf_add(b, " <span class=\"where\">(");
				esc(b, f->module);
				tj_buf_add(b, ")</span>");
			}
			tj_buf_add(b, "</span>");
			prev = f->module;
			if (f->function && strcmp(name, "main") == 0)
				break;
		}
		if (c->truncated)
			tj_buf_add(b, " \xe2\x86\x90 ? <span class=\"note\">(stack truncated)</span>");
		tj_buf_add(b, "</div>\n");
	}
	tj_buf_add(b, "</section>\n");
}

static void add_items_json(struct tj_buf *b, const struct tj_report_item *v, size_t n, uint64_t base)
{
	tj_buf_add(b, "[");
	for (size_t i = 0; i < n; i++) {
		tj_buf_addf(b, "%s{\"t\":%.3f,\"k\":\"%s\",\"n\":", i ? "," : "", ms_since(v[i].us, base),
			    kind_name(v[i].kind));
		js(b, v[i].name);
		tj_buf_add(b, ",\"x\":");
		js(b, v[i].text);
		tj_buf_addf(b, ",\"l\":%s}", v[i].in_loader ? "true" : "false");
	}
	tj_buf_add(b, "]");
}

static void add_data(struct tj_buf *b, const struct tj_report_model *m)
{
	tj_buf_add(b, "<script type=\"application/json\" id=\"report-data\">{\"runs\":[");
	for (size_t r = 0; r < m->nruns; r++) {
		const struct tj_report_run *run = &m->runs[r];
		uint64_t base = run->start_us;
		tj_buf_addf(b, "%s{\"command\":", r ? "," : "");
		js(b, run->command);
		tj_buf_addf(b, ",\"end\":%.3f,\"procs\":[", ms_since(run->end_us, base));
		for (size_t i = 0; i < run->nprocs; i++) {
			spill(b);
			const struct tj_report_proc *p = &run->procs[i];
			tj_buf_addf(b, "%s{\"pid\":%d,\"parent\":%ld,\"program\":", i ? "," : "", p->pid, p->parent);
			js(b, p->program);
			tj_buf_add(b, ",\"argv\":");
			js(b, p->argv);
			tj_buf_addf(b, ",\"first\":%.3f,\"last\":%.3f,\"items\":", ms_since(p->first_us, base),
				    ms_since(p->last_us, base));
			add_items_json(b, p->items, p->nitems, base);
			tj_buf_add(b, "}");
		}
		tj_buf_add(b, "],\"items\":");
		add_items_json(b, run->items, run->nitems, base);
		tj_buf_add(b, "}");
	}
	tj_buf_add(b, "]}</script>\n");
}

static void build(struct page *pg, const struct tj_report_model *m, const struct tj_report_view_opts *o)
{
	struct tj_buf *b = &pg->b;
	size_t missed = 0, seen = 0;
	for (size_t i = 0; i < m->nsys; i++)
		missed += m->sys[i].missed > 0, seen += m->sys[i].seen > 0;
	tj_buf_add(b,
		   "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		   "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width\">\n<title>tinyjail report</title>\n<style>");
	tj_buf_add(b, style);
	tj_buf_add(b, "</style></head>\n<body>\n<header><h1>tinyjail report</h1><p id=\"summary\">");
	tj_buf_addf(b, "%zu run%s from %zu log%s: %zu (program, syscall) pair%s seen, %zu missed", m->nruns,
		    m->nruns == 1 ? "" : "s", m->nlogs, m->nlogs == 1 ? "" : "s", seen, seen == 1 ? "" : "s", missed);
	if (o->profile) {
		tj_buf_add(b, "; compared with ");
		esc(b, o->profile);
	}
	tj_buf_add(b,
		   "</p></header>\n<nav><a href=\"#runs\">Runs</a><a href=\"#seen\">Seen</a><a href=\"#missed\">Missed"
		   "</a><a href=\"#unused\">Unused</a><a href=\"#timeline\">Timeline</a><a href=\"#processes\">Processes"
		   "</a><a href=\"#chains\">Call chains</a></nav>\n");
	add_runs(b, m);
	add_missed(b, m);
	add_seen(b, m);
	add_unused(b, m, o);
	tj_buf_add(b, "<section id=\"timeline\"><h2>Timeline</h2><div class=\"tools\"><button id=\"zoom-in\">zoom in"
		      "</button><button id=\"zoom-out\">zoom out</button><button id=\"zoom-reset\">whole run</button>"
		      "<span class=\"note\">wheel: zoom, drag: move</span></div>\n<p class=\"legend\">"
		      "<span><i style=\"background:#a8d5b3\"></i>start-up (the dynamic loader)</span>"
		      "<span><i style=\"background:#3c8d4f\"></i>first use</span><span><i style=\"background:#d49b00\">"
		      "</i>denied</span><span><i style=\"background:#b3261e\"></i>killed</span><span><i style=\""
		      "background:#8e24aa\"></i>limit</span><span><i style=\"background:#e8710a\"></i>network</span>"
		      "<span><i style=\"background:#2457c5\"></i>exec</span><span><i style=\"background:#1d2330\"></i>"
		      "exit</span></p>\n<div id=\"timeline-box\"></div></section>\n");
	add_processes(b, m);
	add_chains(b, m);
	add_data(b, m);
	tj_buf_add(b, "<script>");
	tj_buf_add(b, script);
	tj_buf_add(b, "</script>\n</body></html>\n");
}

char *tj_report_html(const struct tj_report_model *m, const struct tj_report_view_opts *o)
{
	struct page pg = {0};
	build(&pg, m, o);
	return tj_buf_steal(&pg.b);
}

int tj_report_html_write(const struct tj_report_model *m, const struct tj_report_view_opts *o,
			 int (*sink)(void *ctx, const char *s, size_t n), void *ctx)
{
	struct page pg = {.sink = sink, .ctx = ctx};
	build(&pg, m, o);
	flush(&pg);
	free(pg.b.s);
	return pg.error;
}
