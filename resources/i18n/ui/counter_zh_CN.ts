<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Column</name>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Shelf</source>
        <translation>储存区域</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>扫描</translation>
    </message>
</context>
<context>
    <name>DateEdit</name>
    <message>
        <source>{field}: {refusal}</source>
        <translation>{field}：{refusal}</translation>
    </message>
    <message>
        <source>{field}: &apos;{typed}&apos; is not a whole date. Type it as YYYY-MM-DD, or pick it from the calendar.</source>
        <translation>{field}：“{typed}”不是完整的日期。请按 YYYY-MM-DD 输入，或从日历中选择。</translation>
    </message>
</context>
<context>
    <name>DateRange</name>
    <message>
        <source>Limit to dates</source>
        <translation>限定日期</translation>
    </message>
    <message>
        <source>fro&amp;m</source>
        <translation>从(&amp;M)</translation>
    </message>
    <message>
        <source>u&amp;ntil</source>
        <translation>至(&amp;N)</translation>
    </message>
    <message>
        <source>From date</source>
        <translation>起始日期</translation>
    </message>
    <message>
        <source>To date</source>
        <translation>截止日期</translation>
    </message>
</context>
<context>
    <name>DialogButtons</name>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>C&amp;ancel</source>
        <comment>C is another button&apos;s</comment>
        <translation>取消(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>关闭(&amp;C)</translation>
    </message>
    <message>
        <source>C&amp;lose</source>
        <comment>C is another button&apos;s</comment>
        <translation>关闭(&amp;L)</translation>
    </message>
</context>
<context>
    <name>DispenseScreen</name>
    <message>
        <source>Dispense a cycle</source>
        <translation>周期发放</translation>
    </message>
    <message>
        <source>Scan or type the participant number, then Enter</source>
        <translation>扫描或输入受试者编号，然后按 Enter</translation>
    </message>
    <message>
        <source>&amp;Participant</source>
        <translation>受试者(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Day 1 of the cycle</source>
        <translation>周期第1天(&amp;D)</translation>
    </message>
    <message>
        <source>To know; nothing to override: the dispense goes on</source>
        <translation>仅供知悉，无需越过警告：发放照常进行</translation>
    </message>
    <message>
        <source>Cycle</source>
        <translation>周期</translation>
    </message>
    <message>
        <source>Level {level}: {name}</source>
        <translation>剂量水平 {level}：{name}</translation>
    </message>
    <message>
        <source>D&amp;ose level</source>
        <translation>剂量水平(&amp;O)</translation>
    </message>
    <message>
        <source>The investigator who ordered the change</source>
        <translation>下达调整医嘱的研究者</translation>
    </message>
    <message>
        <source>Today&apos;s count, if given</source>
        <translation>今日计数（如有）</translation>
    </message>
    <message>
        <source>Today&apos;s platelet count, if the investigator gave one</source>
        <translation>研究者提供的今日血小板计数（如有）</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>If given</source>
        <translation>如有则填</translation>
    </message>
    <message>
        <source>{name} ({unit})</source>
        <translation>{name}（{unit}）</translation>
    </message>
    <message>
        <source>&amp;IRT confirmation no.</source>
        <translation>IRT 确认号(&amp;I)</translation>
    </message>
    <message>
        <source>Kit the IRT &amp;assigned</source>
        <translation>IRT 分配的药盒(&amp;A)</translation>
    </message>
    <message>
        <source>e.g. the investigator&apos;s instruction</source>
        <translation>例如：研究者的指示</translation>
    </message>
    <message>
        <source>&amp;Reason to dispense anyway</source>
        <translation>仍然发放的理由(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Kit in hand</source>
        <translation>手中药盒(&amp;K)</translation>
    </message>
    <message>
        <source>Ne&amp;w participant (Esc)</source>
        <translation>下一位受试者(&amp;W)（Esc）</translation>
    </message>
    <message>
        <source>S&amp;ign and dispense</source>
        <translation>签名并发放(&amp;I)</translation>
    </message>
    <message>
        <source>Pre&amp;view label (Ctrl+P)</source>
        <translation>预览标签(&amp;V)（Ctrl+P）</translation>
    </message>
    <message>
        <source>Nothing was saved: the study file of {protocol} was updated after this screen was opened. The screen read it again (version {version}) and checked the dispense again with what was typed and scanned: check it before signing.</source>
        <translation>未保存任何内容：{protocol} 的研究文件在本界面打开后已更新。本界面已重新载入该文件（第 {version} 版），并按已输入和已扫描的内容重新检查了本次发放：请核对后再签名。</translation>
    </message>
    <message>
        <source>As the IRT&apos;s confirmation gives it; then scan the bottle</source>
        <translation>按 IRT 确认中的编号输入；然后扫描药瓶</translation>
    </message>
    <message>
        <source>Platelet&amp;s ({unit})</source>
        <translation>血小板（{unit}）(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;econd check by</source>
        <translation>第二人核对(&amp;E)</translation>
    </message>
    <message>
        <source>Another person checks this dispense and signs after you</source>
        <translation>由另一人核对本次发放，并在您之后签名</translation>
    </message>
    <message>
        <source>User name of the person who checks</source>
        <translation>核对人的用户名</translation>
    </message>
    <message>
        <source>Scan the bottle of the kit the IRT assigned, then Enter</source>
        <translation>扫描 IRT 分配的药盒的药瓶，然后按 Enter</translation>
    </message>
    <message>
        <source>Pri&amp;nt again</source>
        <translation>再次打印(&amp;N)</translation>
    </message>
    <message>
        <source>The participant leaflet of the dispense just signed, to print on paper</source>
        <translation>刚签名的发放的受试者说明单，用纸张打印</translation>
    </message>
    <message>
        <source>Scan or type the participant&apos;s study number.</source>
        <translation>请扫描或输入受试者编号。</translation>
    </message>
    <message>
        <source>{kit} is a kit: scan the participant&apos;s study number first, then the kits.</source>
        <translation>{kit} 是药盒：请先扫描受试者编号，再扫描药盒。</translation>
    </message>
    <message>
        <source>&lt;span class=&apos;big&apos;&gt;&lt;b&gt;{number}&lt;/b&gt; &amp;nbsp; {initials}&lt;/span&gt; &amp;nbsp; born {born} · {sex} · {status} · enrolled {enrolled}</source>
        <translation>&lt;span class=&apos;big&apos;&gt;&lt;b&gt;{number}&lt;/b&gt; &amp;nbsp; {initials}&lt;/span&gt; &amp;nbsp; {born}年生 · {sex} · {status} · {enrolled} 入组</translation>
    </message>
    <message>
        <source>{window}; a day 1 before {unwarned} needs the reason (rule to confirm)</source>
        <translation>{window}；第1天早于 {unwarned} 时须填写仍然发放的理由（待确认的规则）</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#a40000&apos;&gt;&lt;b&gt;Overdue:&lt;/b&gt; cycle {cycle} was due from {due}.&lt;/span&gt; Its day 1 is the day it really starts, within the dates above.</source>
        <translation>&lt;span style=&apos;color:#a40000&apos;&gt;&lt;b&gt;已逾期：&lt;/b&gt;第 {cycle} 周期应于 {due} 起发放。&lt;/span&gt;其第1天为该周期实际开始之日，须在上述日期范围内。</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#a40000&apos;&gt;&lt;b&gt;Overdue:&lt;/b&gt; cycle {cycle} was due from {due}.&lt;/span&gt; Its day 1 is the day it really starts ({event}), within the dates above.</source>
        <translation>&lt;span style=&apos;color:#a40000&apos;&gt;&lt;b&gt;已逾期：&lt;/b&gt;第 {cycle} 周期应于 {due} 起发放。&lt;/span&gt;其第1天为该周期实际开始之日（{event}），须在上述日期范围内。</translation>
    </message>
    <message>
        <source>F</source>
        <comment>sex: female</comment>
        <translation>女</translation>
    </message>
    <message>
        <source>M</source>
        <comment>sex: male</comment>
        <translation>男</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#7a4b00&apos;&gt;Return of cycle {cycle} ({number}) not recorded yet.&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#7a4b00&apos;&gt;第 {cycle} 周期（{number}）尚未登记退药。&lt;/span&gt;</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#7a4b00&apos;&gt;Return of cycle {cycle} ({number}) not complete: kit {kits} still to count ({tablets} tablets back so far).&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#7a4b00&apos;&gt;第 {cycle} 周期（{number}）退药未完成：药盒 {kits} 待清点（目前已退回 {tablets} 片）。&lt;/span&gt;</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#7a4b00&apos;&gt;Return of cycle {cycle} ({number}) not complete: kits {kits} still to count ({tablets} tablets back so far).&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#7a4b00&apos;&gt;第 {cycle} 周期（{number}）退药未完成：药盒 {kits} 待清点（目前已退回 {tablets} 片）。&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Last return: cycle {cycle}, {tablets} tablet back on {date}</source>
        <translation>上次退药：第 {cycle} 周期，{date} 退回 {tablets} 片</translation>
    </message>
    <message>
        <source>Last return: cycle {cycle}, {tablets} tablets back on {date}</source>
        <translation>上次退药：第 {cycle} 周期，{date} 退回 {tablets} 片</translation>
    </message>
    <message>
        <source>Last return: cycle {cycle}, {tablets} tablet back</source>
        <translation>上次退药：第 {cycle} 周期，退回 {tablets} 片</translation>
    </message>
    <message>
        <source>Last return: cycle {cycle}, {tablets} tablets back</source>
        <translation>上次退药：第 {cycle} 周期，退回 {tablets} 片</translation>
    </message>
    <message>
        <source>, adherence {adherence}</source>
        <translation>，依从性 {adherence}</translation>
    </message>
    <message>
        <source>{text} — &lt;span style=&apos;color:#8a1c13&apos;&gt;{flags}&lt;/span&gt;</source>
        <translation>{text} — &lt;span style=&apos;color:#8a1c13&apos;&gt;{flags}&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Last return: cycle {cycle}, {back} back</source>
        <translation>上次退药：第 {cycle} 周期，退回 {back}</translation>
    </message>
    <message>
        <source>platelet count</source>
        <translation>血小板计数</translation>
    </message>
    <message>
        <source>Kit {number} is taken off the list: put it back.</source>
        <translation>药盒 {number} 已从列表中移除：请放回原处。</translation>
    </message>
    <message>
        <source>{first} {second}</source>
        <comment>two sentences in a row</comment>
        <translation>{first}{second}</translation>
    </message>
    <message>
        <source>If the investigator put the participant back on treatment, change the status in Participants (Change status...), then scan them again here.</source>
        <translation>如研究者已让该受试者恢复治疗，请先在“受试者”中更改其状态（更改状态...），再回到此处重新扫描。</translation>
    </message>
    <message>
        <source>The reason typed covers only the warnings shown before it: add the reason for this one, then press Enter.</source>
        <translation>已填写的理由只涵盖在此之前显示的警告：请补充针对此警告的理由，然后按 Enter。</translation>
    </message>
    <message>
        <source>The cycle is covered: press Enter to sign.</source>
        <translation>本周期药量已足：按 Enter 签名。</translation>
    </message>
    <message>
        <source>Kit the IRT assigned, still to scan: {kits}. Pick it and scan the bottle; the signature follows.</source>
        <translation>IRT 分配的药盒尚待扫描：{kits}。请取出并扫描药瓶，随后签名。</translation>
    </message>
    <message>
        <source>Kits the IRT assigned, still to scan: {kits}. Pick each and scan its bottle; the signature follows the last.</source>
        <translation>IRT 分配的药盒尚待扫描：{kits}。请逐个取出并扫描药瓶，扫描最后一个后签名。</translation>
    </message>
    <message>
        <source>The dose or day 1 changed: scan the kits again.</source>
        <translation>剂量或第1天已更改：请重新扫描药盒。</translation>
    </message>
    <message>
        <source>No kit to pick: the dispense is refused (see the message above)</source>
        <translation>无需取药盒：本次发放被拒绝（见上方信息）</translation>
    </message>
    <message>
        <source>Kit the IRT assigned: {scanned} of {total} scanned</source>
        <translation>IRT 分配的药盒：已扫描 {scanned}/{total}</translation>
    </message>
    <message>
        <source>Kits scanned</source>
        <translation>已扫描的药盒</translation>
    </message>
    <message>
        <source>Kit the IRT assigned: type its number, then scan the bottle</source>
        <translation>IRT 分配的药盒：输入其编号，然后扫描药瓶</translation>
    </message>
    <message>
        <source>Tablets: {have} in {kits} kit; {need} needed</source>
        <translation>片数：{kits} 盒共 {have} 片；需要 {need} 片</translation>
    </message>
    <message>
        <source>Tablets: {have} in {kits} kits; {need} needed</source>
        <translation>片数：{kits} 盒共 {have} 片；需要 {need} 片</translation>
    </message>
    <message>
        <source>{have} in {kits} kit; {need} needed</source>
        <translation>{kits} 盒共 {have}；需要 {need}</translation>
    </message>
    <message>
        <source>{have} in {kits} kits; {need} needed</source>
        <translation>{kits} 盒共 {have}；需要 {need}</translation>
    </message>
    <message>
        <source>{units} ({product}) in {kits} kit; {need} needed</source>
        <translation>{product}：{kits} 盒共 {units}；需要 {need}</translation>
    </message>
    <message>
        <source>{units} ({product}) in {kits} kits; {need} needed</source>
        <translation>{product}：{kits} 盒共 {units}；需要 {need}</translation>
    </message>
    <message>
        <source>Scan the participant first, then the kits.</source>
        <translation>请先扫描受试者，再扫描药盒。</translation>
    </message>
    <message>
        <source>{number} is a participant&apos;s study number, not a kit: their cycle is open now.</source>
        <translation>{number} 是受试者编号，不是药盒：已打开该受试者的周期。</translation>
    </message>
    <message>
        <source>Kit {number} taken.</source>
        <translation>药盒 {number} 已加入。</translation>
    </message>
    <message>
        <source>No kit scanned to remove.</source>
        <translation>没有可移除的已扫描药盒。</translation>
    </message>
    <message>
        <source>That kit is still to pick, not scanned: nothing to remove.</source>
        <translation>该药盒尚待取出，未扫描：无可移除。</translation>
    </message>
    <message>
        <source>Kit {number} removed: put it back.</source>
        <translation>药盒 {number} 已移除：请放回原处。</translation>
    </message>
    <message>
        <source>Scan the participant first.</source>
        <translation>请先扫描受试者。</translation>
    </message>
    <message>
        <source>A warning was not shown before:</source>
        <translation>此前未显示的警告：</translation>
    </message>
    <message>
        <source>{tablets} tablets</source>
        <comment>all the tablets of a dispense</comment>
        <translation>共 {tablets} 片</translation>
    </message>
    <message>
        <source>{units}</source>
        <comment>all the units of a dispense</comment>
        <translation>共 {units}</translation>
    </message>
    <message>
        <source>No platelet count given.</source>
        <translation>未提供血小板计数。</translation>
    </message>
    <message>
        <source>Platelet count {count} {unit}.</source>
        <translation>血小板计数 {count} {unit}。</translation>
    </message>
    <message>
        <source>{sentence} {next}</source>
        <translation>{sentence}{next}</translation>
    </message>
    <message>
        <source>Second check by {person}, who signs after you.</source>
        <translation>第二人核对：{person}，在您之后签名。</translation>
    </message>
    <message>
        <source>dispensed</source>
        <translation>已发放</translation>
    </message>
    <message>
        <source>Not signed: nothing was saved.</source>
        <translation>未签名：未保存任何内容。</translation>
    </message>
    <message>
        <source>Nothing was saved: the second person did not sign.</source>
        <translation>未保存任何内容：核对人未签名。</translation>
    </message>
    <message>
        <source>Checked by {person}.</source>
        <translation>核对人：{person}。</translation>
    </message>
    <message>
        <source>Dose level {level}: {name}.</source>
        <translation>剂量水平 {level}：{name}。</translation>
    </message>
    <message>
        <source>Dose level {level}: {name} — changed from level {previous}, ordered by {who}.</source>
        <translation>剂量水平 {level}：{name} — 由剂量水平 {previous} 调整，医嘱人：{who}。</translation>
    </message>
    <message>
        <source>Dose level {level}: {name} — changed from level {previous}.</source>
        <translation>剂量水平 {level}：{name} — 由剂量水平 {previous} 调整。</translation>
    </message>
    <message>
        <source>Overridden: {warning} Ordered by: {who}.</source>
        <translation>已越过警告：{warning}医嘱人：{who}。</translation>
    </message>
    <message>
        <source>Overridden: {warning}</source>
        <translation>已越过警告：{warning}</translation>
    </message>
    <message>
        <source>Reason to dispense anyway: {reason}</source>
        <translation>仍然发放的理由：{reason}</translation>
    </message>
    <message>
        <source>Type the user name of the person who checks the dispense, or untick Second check.</source>
        <translation>请输入核对本次发放的人员的用户名，或取消勾选“第二人核对”。</translation>
    </message>
    <message>
        <source>The warnings changed since they were shown: nothing was saved.</source>
        <translation>警告在显示后已有变化：未保存任何内容。</translation>
    </message>
    <message>
        <source>1 label waiting: {number}</source>
        <translation>1 张标签待打印：{number}</translation>
    </message>
    <message>
        <source>{count} labels waiting: {numbers}</source>
        <translation>{count} 张标签待打印：{numbers}</translation>
    </message>
    <message>
        <source>Printed, not yet recorded in the audit trail: {numbers}</source>
        <translation>已打印，尚未记入稽查轨迹：{numbers}</translation>
    </message>
    <message>
        <source>{number}: not recorded: {why}</source>
        <translation>{number}：未记录：{why}</translation>
    </message>
    <message>
        <source>{number}: print record already discarded; nothing new written.</source>
        <translation>{number}：打印记录此前已放弃；未写入新的记录。</translation>
    </message>
    <message>
        <source>{number}: print already recorded; nothing new written.</source>
        <translation>{number}：打印此前已记录；未写入新的记录。</translation>
    </message>
    <message>
        <source>{number}: print recorded.</source>
        <translation>{number}：打印已记录。</translation>
    </message>
    <message>
        <source>{number}: {text}</source>
        <translation>{number}：{text}</translation>
    </message>
    <message>
        <source>No leaflet to print: dispense first.</source>
        <translation>没有可打印的说明单：请先发放。</translation>
    </message>
    <message>
        <source>{number} leaflet</source>
        <translation>{number} 说明单</translation>
    </message>
    <message>
        <source>No label to preview: dispense first.</source>
        <translation>没有可预览的标签：请先发放。</translation>
    </message>
    <message>
        <source>{number}: its label was printed but not yet recorded: press Record the print.</source>
        <translation>{number}：标签已打印，但尚未记录：请按“记录此次打印”。</translation>
    </message>
    <message>
        <source>{count} × {product}</source>
        <translation>{product} × {count}</translation>
    </message>
    <message>
        <source>Dispensed {number}: {participant} cycle {cycle}, {products} in {kits}, {days} days to {last_day}.</source>
        <translation>已发放 {number}：{participant} 第 {cycle} 周期，{kits}：{products}，{days} 天，用至 {last_day}。</translation>
    </message>
    <message>
        <source>{kit} ({tablets})</source>
        <comment>a kit and its tablets</comment>
        <translation>{kit}（{tablets}）</translation>
    </message>
    <message>
        <source>Dose change ordered &amp;by</source>
        <translation>剂量调整医嘱人(&amp;B)</translation>
    </message>
    <message>
        <source>Scan each kit handed over (or type its number, Enter)</source>
        <translation>扫描交付的每个药盒（或输入编号后按 Enter）</translation>
    </message>
    <message>
        <source>Re&amp;move kit</source>
        <translation>移除药盒(&amp;M)</translation>
    </message>
    <message>
        <source>The kit selected in the list, else the last kit scanned (Delete, in the empty kit field or in the list)</source>
        <translation>移除列表中选中的药盒，未选中时移除最后扫描的药盒（在空的药盒栏或列表中按 Delete）</translation>
    </message>
    <message>
        <source>Enter in the empty kit field or in a field of the form, or Ctrl+Enter</source>
        <translation>在空的药盒栏或表单字段中按 Enter，或按 Ctrl+Enter</translation>
    </message>
    <message>
        <source>&amp;Leaflet</source>
        <translation>说明单(&amp;L)</translation>
    </message>
    <message>
        <source>Re&amp;cord the print</source>
        <translation>记录此次打印(&amp;C)</translation>
    </message>
    <message>
        <source>Last dispense: cycle {cycle} ({number}, {date}), {dose}</source>
        <translation>上次发放：第 {cycle} 周期（{number}，{date}），{dose}</translation>
    </message>
    <message>
        <source>No cycle due: only participants on treatment are dispensed to.</source>
        <translation>无应配周期：只向治疗中的受试者发放。</translation>
    </message>
    <message>
        <source>the day 1 entered today must be from {earliest} to {latest}</source>
        <translation>今天录入的第1天须在 {earliest} 至 {latest} 之间</translation>
    </message>
    <message>
        <source>no day 1 can be entered today: earliest day 1 {earliest}</source>
        <translation>今天不能录入第1天：第1天最早 {earliest}</translation>
    </message>
    <message>
        <source>Cycle due: &lt;b&gt;{cycle}&lt;/b&gt; (first dispense)</source>
        <translation>应配周期：&lt;b&gt;{cycle}&lt;/b&gt;（首次发放）</translation>
    </message>
    <message>
        <source>Cycle due: &lt;b&gt;{cycle}&lt;/b&gt;, due {due}, day 1 from {earliest} at the earliest</source>
        <translation>应配周期：&lt;b&gt;{cycle}&lt;/b&gt;，应于 {due}，第1天最早为 {earliest}</translation>
    </message>
    <message>
        <source>{due} — {window}</source>
        <translation>{due} — {window}</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#7a4b00&apos;&gt;Return of cycle {cycle} ({number}) not complete: kit {kits} still to count ({back} back so far).&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#7a4b00&apos;&gt;第 {cycle} 周期（{number}）退药未完成：药盒 {kits} 待清点（目前已退回 {back}）。&lt;/span&gt;</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#7a4b00&apos;&gt;Return of cycle {cycle} ({number}) not complete: kits {kits} still to count ({back} back so far).&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#7a4b00&apos;&gt;第 {cycle} 周期（{number}）退药未完成：药盒 {kits} 待清点（目前已退回 {back}）。&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Last return: cycle {cycle}, {back} back on {date}</source>
        <translation>上次退药：第 {cycle} 周期，{date} 退回 {back}</translation>
    </message>
    <message>
        <source>Day 1 of the cycle</source>
        <translation>周期第1天</translation>
    </message>
    <message>
        <source>Give the reason to dispense anyway, then press Enter.</source>
        <translation>请填写仍然发放的理由，然后按 Enter。</translation>
    </message>
    <message>
        <source>Type who ordered it, then press Enter.</source>
        <translation>请填写医嘱人，然后按 Enter。</translation>
    </message>
    <message>
        <source>Scan the kits handed over.</source>
        <translation>请扫描交付的药盒。</translation>
    </message>
    <message>
        <source>Kit still to scan: {kits}. Pick it and scan it; the signature follows.</source>
        <translation>尚待扫描的药盒：{kits}。请取出并扫描，随后签名。</translation>
    </message>
    <message>
        <source>Kits still to scan: {kits}. Pick each and scan it; the signature follows the last.</source>
        <translation>尚待扫描的药盒：{kits}。请逐个取出并扫描，扫描最后一个后签名。</translation>
    </message>
    <message>
        <source>Kits to pick (first expiry first out): {scanned} of {total} scanned</source>
        <translation>待取药盒（近效期先出）：已扫描 {scanned}/{total}</translation>
    </message>
    <message>
        <source>Kits to pick (first expiry first out): scan each</source>
        <translation>待取药盒（近效期先出）：逐个扫描</translation>
    </message>
    <message>
        <source>Kit {number} taken. Fill in the field the cursor is now in, then press Enter to sign.</source>
        <translation>已取药盒 {number}。请填写光标所在的字段，然后按 Enter 签名。</translation>
    </message>
    <message>
        <source>Dispense cycle {cycle} to {participant} ({initials}): {kits} — {what}, day 1 {day1}.</source>
        <translation>为 {participant}（{initials}）发放第 {cycle} 周期药物：{kits} — {what}，第1天 {day1}。</translation>
    </message>
    <message>
        <source>Dispensed {number}: {participant} cycle {cycle}, {units} in {kits}, {days} days to {last_day}.</source>
        <translation>已发放 {number}：{participant} 第 {cycle} 周期，{kits}共 {units}，{days} 天，用至 {last_day}。</translation>
    </message>
    <message>
        <source>Dispensed {number}: {participant} cycle {cycle}, {tablets} tablets in {kits}, {days} days to {last_day}.</source>
        <translation>已发放 {number}：{participant} 第 {cycle} 周期，{kits}共 {tablets} 片，{days} 天，用至 {last_day}。</translation>
    </message>
    <message>
        <source>Scan the participant&apos;s study number to begin.</source>
        <translation>扫描受试者编号开始发放。</translation>
    </message>
</context>
<context>
    <name>KitTable</name>
    <message>
        <source>Kit</source>
        <translation>药盒</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>药品</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation>批号</translation>
    </message>
    <message>
        <source>Expiry</source>
        <translation>有效期</translation>
    </message>
    <message>
        <source>Tablets</source>
        <translation>片数</translation>
    </message>
</context>
<context>
    <name>LabelPreviewDialog</name>
    <message>
        <source>Zoom &amp;out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <source>Smaller (Ctrl+-)</source>
        <translation>缩小（Ctrl+-）</translation>
    </message>
    <message>
        <source>Zoom &amp;in</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <source>Larger (Ctrl++)</source>
        <translation>放大（Ctrl++）</translation>
    </message>
    <message>
        <source>&amp;Whole page</source>
        <translation>整页(&amp;W)</translation>
    </message>
    <message>
        <source>The whole page in the window (Ctrl+0)</source>
        <translation>在窗口中显示整页（Ctrl+0）</translation>
    </message>
    <message>
        <source>&amp;Print…</source>
        <translation>打印(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Save as PDF…</source>
        <translation>另存为 PDF(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>关闭(&amp;C)</translation>
    </message>
    <message>
        <source>Not printed: {why}</source>
        <translation>未打印：{why}</translation>
    </message>
    <message>
        <source>The printer did not take the label: check it, then print again.</source>
        <translation>打印机未接收标签：请检查打印机，然后再次打印。</translation>
    </message>
    <message>
        <source>Sent to the printer.</source>
        <translation>已发送到打印机。</translation>
    </message>
    <message>
        <source>Save label</source>
        <translation>保存标签</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Saved to {path}.</source>
        <translation>已保存到 {path}。</translation>
    </message>
</context>
<context>
    <name>LabelPrinting</name>
    <message>
        <source>Label printed.</source>
        <translation>标签已打印。</translation>
    </message>
    <message>
        <source>Label saved.</source>
        <translation>标签已保存。</translation>
    </message>
    <message>
        <source>The label was printed before: to print it again, reprint it from Reports and labels, with the reason.</source>
        <translation>该标签已打印过：如需再次打印，请在“报告与标签”中补打，并填写理由。</translation>
    </message>
    <message>
        <source>The label cannot be made: {why}</source>
        <translation>无法生成标签：{why}</translation>
    </message>
    <message>
        <source>Label sent to {printer}. If it does not come out, reprint it from Reports and labels (Dispensing label), with the reason.</source>
        <translation>标签已发送到 {printer}。如未打出，请在“报告与标签”（发放标签）中补打，并填写原因。</translation>
    </message>
    <message>
        <source>Label sent to {printer}.</source>
        <translation>标签已发送到 {printer}。</translation>
    </message>
    <message>
        <source>Label not printed: {why} It waits: press Print again once the printer is back.</source>
        <translation>标签未打印：{why}标签在等待：打印机恢复后请按“再次打印”。</translation>
    </message>
    <message>
        <source>Leaflet printed.</source>
        <translation>说明单已打印。</translation>
    </message>
    <message>
        <source>Leaflet saved.</source>
        <translation>说明单已保存。</translation>
    </message>
    <message>
        <source>The leaflet was printed before: to print it again, reprint it from Reports and labels (Participant leaflet), with the reason.</source>
        <translation>该说明单已打印过：如需再次打印，请在“报告与标签”（受试者说明单）中补打，并填写理由。</translation>
    </message>
    <message>
        <source>The leaflet cannot be made: {why}</source>
        <translation>无法生成说明单：{why}</translation>
    </message>
    <message>
        <source>Label not printed: it waits under the form. Press Print again to print it, or Ctrl+P to preview it again.</source>
        <translation>标签未打印：它在表单下方等待打印。请按“再次打印”打印，或按 Ctrl+P 再次预览。</translation>
    </message>
    <message>
        <source>Leaflet not printed: press Leaflet again to print it, or print it later from Reports and labels (Participant leaflet).</source>
        <translation>说明单未打印：请再次按“说明单”打印，或稍后在“报告与标签”（受试者说明单）中打印。</translation>
    </message>
    <message>
        <source>Leaflet sent to {printer}.</source>
        <translation>说明单已发送到 {printer}。</translation>
    </message>
    <message>
        <source>Leaflet not printed: {why} Print it from Reports and labels (Participant leaflet) once the printer is back.</source>
        <translation>说明单未打印：{why}打印机恢复后，请在“报告与标签”（受试者说明单）中打印。</translation>
    </message>
    <message>
        <source>{count} kit labels printed.</source>
        <translation>已打印 {count} 张药盒标签。</translation>
    </message>
    <message>
        <source>{count} kit labels saved.</source>
        <translation>已保存 {count} 张药盒标签。</translation>
    </message>
    <message>
        <source>The kit labels were printed before: to print them again, reprint them from Reports and labels, with the reason.</source>
        <translation>这些药盒标签已打印过：如需再次打印，请在“报告与标签”中补打，并填写理由。</translation>
    </message>
    <message>
        <source>The kit labels cannot be made: {why}</source>
        <translation>无法生成药盒标签：{why}</translation>
    </message>
    <message>
        <source>Kit labels not printed.</source>
        <translation>药盒标签未打印。</translation>
    </message>
    <message>
        <source>{count} kit labels sent to {printer}. If they do not come out, reprint them from Reports and labels (Kit labels for a shipment), with the reason.</source>
        <translation>已将 {count} 张药盒标签发送到 {printer}。如未打出，请在“报告与标签”（货件的药盒标签）中补打，并填写原因。</translation>
    </message>
    <message>
        <source>{count} kit labels sent to {printer}.</source>
        <translation>已将 {count} 张药盒标签发送到 {printer}。</translation>
    </message>
    <message>
        <source>Kit labels not printed: {why} Press Print kit labels once the printer is back, or print them later from Reports and labels (Kit labels for a shipment).</source>
        <translation>药盒标签未打印：{why}打印机恢复后请按“打印药盒标签”，或稍后在“报告与标签”（货件的药盒标签）中打印。</translation>
    </message>
    <message>
        <source>{done} {note}</source>
        <translation>{done}{note}</translation>
    </message>
    <message>
        <source>{done} Not recorded in the audit trail: {why}</source>
        <translation>{done}未记入稽查轨迹：{why}</translation>
    </message>
    <message>
        <source>Press Record the print once the database is back (the label is not printed again).</source>
        <translation>数据库恢复后请按“记录此次打印”（标签不会再次打印）。</translation>
    </message>
</context>
<context>
    <name>List</name>
    <message>
        <source>…</source>
        <translation>……</translation>
    </message>
</context>
<context>
    <name>PickLine</name>
    <message>
        <source>Scanned</source>
        <translation>已扫描</translation>
    </message>
    <message>
        <source>To pick</source>
        <translation>待取</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <source>Reason (kept in the audit trail)</source>
        <translation>理由（记入稽查轨迹）</translation>
    </message>
</context>
<context>
    <name>ReceiveScreen</name>
    <message>
        <source>Into quarantine, new lot</source>
        <translation>进入隔离，新批号</translation>
    </message>
    <message>
        <source>Available, new lot</source>
        <translation>可用，新批号</translation>
    </message>
    <message>
        <source>Into quarantine</source>
        <translation>进入隔离</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>可用</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>核对结果</translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation>已扫描</translation>
    </message>
    <message>
        <source>Kits of the manifest not scanned</source>
        <translation>装箱单中未扫描的药盒</translation>
    </message>
    <message>
        <source>{count} of the {listed} kits of the manifest were not scanned: {kits}.</source>
        <translation>装箱单的 {listed} 个药盒中有 {count} 个未扫描：{kits}。</translation>
    </message>
    <message>
        <source>Go back and scan them if they are here. If they did not arrive, record them missing from the shipment: they are not received, and the receipt&apos;s audit entry names them.</source>
        <translation>如药盒在此，请返回扫描。如未到货，请记录为货件缺少：这些药盒不予接收，接收的稽查轨迹条目会列出它们。</translation>
    </message>
    <message>
        <source>Start a new shipment?</source>
        <translation>开始新货件？</translation>
    </message>
    <message>
        <source>The {count} kit listed is not received yet: a new shipment starts with an empty list, and it is lost.</source>
        <translation>列出的 {count} 个药盒尚未接收：新货件从空列表开始，这些药盒将丢失。</translation>
    </message>
    <message>
        <source>The {count} kits listed are not received yet: a new shipment starts with an empty list, and they are lost.</source>
        <translation>列出的 {count} 个药盒尚未接收：新货件从空列表开始，这些药盒将丢失。</translation>
    </message>
    <message>
        <source>&amp;Empty the list</source>
        <translation>清空列表(&amp;E)</translation>
    </message>
    <message>
        <source>Kit labels printed, not recorded</source>
        <translation>药盒标签已打印，未记录</translation>
    </message>
    <message>
        <source>The label of kit {kits} was printed, but the database refused its record: the audit trail does not show it printed yet.</source>
        <translation>药盒 {kits} 的标签已打印，但数据库拒绝了打印记录：稽查轨迹中尚无此次打印。</translation>
    </message>
    <message>
        <source>The labels of {count} kits ({kits}) were printed, but the database refused their record: the audit trail does not show them printed yet.</source>
        <translation>{count} 个药盒（{kits}）的标签已打印，但数据库拒绝了打印记录：稽查轨迹中尚无此次打印。</translation>
    </message>
    <message>
        <source>&amp;Record the print</source>
        <translation>记录此次打印(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Discard the record</source>
        <translation>放弃此记录(&amp;D)</translation>
    </message>
    <message>
        <source>Nothing was saved: the study file of {protocol} was updated after this screen was opened. The screen read it again (version {version}) and checked the shipment again as it was listed: check it before receiving.</source>
        <translation>未保存任何内容：{protocol} 的研究文件在本界面打开后已更新。本界面已重新载入该文件（第 {version} 版），并按已列出的内容重新检查了本次货件：请核对后再接收。</translation>
    </message>
    <message>
        <source>Receive a shipment</source>
        <translation>接收货件</translation>
    </message>
    <message>
        <source>As on the packing list</source>
        <translation>与装箱单一致</translation>
    </message>
    <message>
        <source>&amp;Shipment number</source>
        <translation>货件编号(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Date received</source>
        <translation>接收日期(&amp;D)</translation>
    </message>
    <message>
        <source>Co&amp;ndition</source>
        <translation>包装状况(&amp;N)</translation>
    </message>
    <message>
        <source>Temperature record acceptable</source>
        <translation>温度记录合格</translation>
    </message>
    <message>
        <source>Unticked: the kits go into quarantine until released</source>
        <translation>不勾选：药盒将进入隔离，直至放行</translation>
    </message>
    <message>
        <source>&amp;Product</source>
        <translation>药品(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Lot</source>
        <translation>批号(&amp;L)</translation>
    </message>
    <message>
        <source>YYYY-MM or YYYY-MM-DD</source>
        <translation>YYYY-MM 或 YYYY-MM-DD</translation>
    </message>
    <message>
        <source>As on the kit label; must be entered: a month alone means its last day</source>
        <translation>与药盒标签一致；必填：只填年月表示该月最后一天</translation>
    </message>
    <message>
        <source>E&amp;xpiry</source>
        <translation>有效期(&amp;X)</translation>
    </message>
    <message>
        <source>Scan each kit: it is added to the list below</source>
        <translation>逐个扫描药盒：药盒将加入下方列表</translation>
    </message>
    <message>
        <source>Scan &amp;kits</source>
        <translation>扫描药盒(&amp;K)</translation>
    </message>
    <message>
        <source>or a range: K0001-K0050</source>
        <translation>或输入范围：K0001-K0050</translation>
    </message>
    <message>
        <source>A range of kit numbers, e.g. K0001-K0050</source>
        <translation>药盒编号范围，例如 K0001-K0050</translation>
    </message>
    <message>
        <source>Add &amp;range</source>
        <translation>添加范围(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Import manifest (CSV)…</source>
        <translation>导入装箱清单（CSV）(&amp;I)…</translation>
    </message>
    <message>
        <source>R&amp;emove line</source>
        <translation>移除此行(&amp;E)</translation>
    </message>
    <message>
        <source>Mark da&amp;maged</source>
        <translation>标为破损(&amp;M)</translation>
    </message>
    <message>
        <source>The selected kit arrived damaged: it is received into quarantine until the sponsor decides. Press again to take the mark off.</source>
        <translation>所选药盒到货时破损：接收后即隔离，等待申办方决定。再按一次可取消标记。</translation>
    </message>
    <message>
        <source>Ne&amp;w shipment</source>
        <translation>新货件(&amp;W)</translation>
    </message>
    <message>
        <source>Recei&amp;ve</source>
        <translation>接收(&amp;V)</translation>
    </message>
    <message>
        <source>Ctrl+Enter</source>
        <translation>Ctrl+Enter</translation>
    </message>
    <message>
        <source>Give the lot number first (it is on the kit label).</source>
        <translation>请先填写批号（见药盒标签）。</translation>
    </message>
    <message>
        <source>Give the number of tablets in each kit.</source>
        <translation>请填写每盒片数。</translation>
    </message>
    <message>
        <source>Give the number of {units} in each kit.</source>
        <translation>请填写每盒{units}数。</translation>
    </message>
    <message>
        <source>Shipment {shipment} received: {kits}, {tablets} tablets in quarantine (temperature record not acceptable). Print the kit labels if the kits need them.</source>
        <translation>货件 {shipment} 已接收：{kits}，共 {tablets} 片，已进入隔离（温度记录不合格）。如药盒需要标签，请打印药盒标签。</translation>
    </message>
    <message>
        <source>Shipment {shipment} received: {kits}, {tablets} tablets. Print the kit labels if the kits need them.</source>
        <translation>货件 {shipment} 已接收：{kits}，共 {tablets} 片。如药盒需要标签，请打印药盒标签。</translation>
    </message>
    <message>
        <source>Shipment {shipment} received: {kits}, {units} in quarantine (temperature record not acceptable). Print the kit labels if the kits need them.</source>
        <translation>货件 {shipment} 已接收：{kits}，共 {units}，已进入隔离（温度记录不合格）。如药盒需要标签，请打印药盒标签。</translation>
    </message>
    <message>
        <source>Shipment {shipment} received: {kits}, {units}. Print the kit labels if the kits need them.</source>
        <translation>货件 {shipment} 已接收：{kits}，共 {units}。如药盒需要标签，请打印药盒标签。</translation>
    </message>
    <message>
        <source>1 kit</source>
        <translation>1 个药盒</translation>
    </message>
    <message>
        <source>{count} kits</source>
        <translation>{count} 个药盒</translation>
    </message>
    <message>
        <source>{kit}, {cause}</source>
        <translation>{kit}，{cause}</translation>
    </message>
    <message>
        <source>In quarantine until the sponsor decides: {kits}.</source>
        <translation>已隔离，等待申办方决定：{kits}。</translation>
    </message>
    <message>
        <source>In quarantine until the sponsor decides: kit {kits}.</source>
        <translation>已隔离，等待申办方决定：药盒 {kits}。</translation>
    </message>
    <message>
        <source>Kit labels print record already discarded; nothing new written.</source>
        <translation>药盒标签的打印记录此前已放弃；未写入新的记录。</translation>
    </message>
    <message>
        <source>Kit labels print already recorded; nothing new written.</source>
        <translation>药盒标签的打印此前已记录；未写入新的记录。</translation>
    </message>
    <message>
        <source>The record of the kit labels printed was not discarded: the database refused to note it in the audit trail ({why}). The print still waits: record or discard it once the database is back.</source>
        <translation>药盒标签的打印记录未放弃：数据库拒绝将放弃记入稽查轨迹（{why}）。此次打印仍待记录：请在数据库恢复后记录或放弃。</translation>
    </message>
    <message>
        <source>The record of the kit labels printed was discarded: the audit trail shows them discarded, not printed.</source>
        <translation>药盒标签的打印记录已放弃：稽查轨迹中记为打印记录已放弃，而非已打印。</translation>
    </message>
    <message>
        <source>Kit labels printed earlier are not recorded in the audit trail: press Record the print (they are not printed again).</source>
        <translation>先前打印的药盒标签未记入稽查轨迹：请按“记录此次打印”（标签不会再次打印）。</translation>
    </message>
    <message>
        <source>number of tablets in each kit</source>
        <translation>每盒片数</translation>
    </message>
    <message>
        <source>Into quarantine, {cause}, new lot</source>
        <translation>进入隔离，{cause}，新批号</translation>
    </message>
    <message>
        <source>Into quarantine, {cause}</source>
        <translation>进入隔离，{cause}</translation>
    </message>
    <message>
        <source>&amp;Record as missing</source>
        <translation>记录为缺少(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Go back</source>
        <translation>返回扫描(&amp;G)</translation>
    </message>
    <message>
        <source>Record the print now (the labels are not printed again). If you discard it, the audit trail shows that its print record was discarded, not that these labels were printed.</source>
        <translation>请现在记录此次打印（标签不会再次打印）。若放弃，稽查轨迹中只记录此次打印的记录已放弃，而不记录这些标签已打印。</translation>
    </message>
    <message>
        <source>T&amp;ablets in a kit</source>
        <translation>每盒片数(&amp;A)</translation>
    </message>
    <message>
        <source>Print kit la&amp;bels</source>
        <translation>打印药盒标签(&amp;B)</translation>
    </message>
    <message>
        <source>{units} in &amp;a kit</source>
        <translation>每盒{units}数(&amp;A)</translation>
    </message>
    <message>
        <source>number of {units} in each kit</source>
        <translation>每盒{units}数</translation>
    </message>
    <message>
        <source>Give the expiry date from the kit label (YYYY-MM or YYYY-MM-DD) before adding kits.</source>
        <translation>添加药盒前，请填写药盒标签上的有效期（YYYY-MM 或 YYYY-MM-DD）。</translation>
    </message>
    <message>
        <source>&apos;{code}&apos; looks like a participant number ({number}), not a kit. Scan the kit&apos;s own barcode.</source>
        <translation>“{code}”似乎是受试者编号（{number}），不是药盒。请扫描药盒本身的条码。</translation>
    </message>
    <message>
        <source>Kit {kit} is checked off already: scanned {scanned} of {listed}.</source>
        <translation>药盒 {kit} 已核对过：已扫描 {scanned} / {listed}。</translation>
    </message>
    <message>
        <source>Kit {kit} checked off against the manifest: scanned {scanned} of {listed}.</source>
        <translation>药盒 {kit} 已与装箱单核对：已扫描 {scanned} / {listed}。</translation>
    </message>
    <message>
        <source>&apos;{code}&apos; is a range: use the range field for ranges.</source>
        <translation>“{code}”是一个范围：请在范围栏中输入范围。</translation>
    </message>
    <message>
        <source>Kit {number} added.</source>
        <translation>药盒 {number} 已添加。</translation>
    </message>
    <message>
        <source>{count} kits added ({first} to {last}).</source>
        <translation>已添加 {count} 个药盒（{first} 至 {last}）。</translation>
    </message>
    <message>
        <source>Import the sponsor&apos;s manifest</source>
        <translation>导入申办方装箱清单</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>The manifest {name} cannot be read. Check that it is still there and that this account may open it, then choose it again.</source>
        <translation>无法读取装箱清单 {name}。请确认该文件仍在原处且此账户有权打开它，然后重新选择。</translation>
    </message>
    <message>
        <source>The manifest {name} is not a CSV text file. Check that the file is the manifest sent with the shipment, as CSV, and choose it again.</source>
        <translation>装箱清单 {name} 不是 CSV 文本文件。请确认该文件是随货件寄来的装箱清单（CSV 格式），然后重新选择。</translation>
    </message>
    <message>
        <source>{name}: {message}</source>
        <translation>{name}：{message}</translation>
    </message>
    <message>
        <source>1 kit imported from {name}; refused (see the list): {reason}</source>
        <translation>已从 {name} 导入 1 个药盒；被拒收（见列表）：{reason}</translation>
    </message>
    <message>
        <source>{count} kits imported from {name}; {refused} refused (see the list): {reason}</source>
        <translation>已从 {name} 导入 {count} 个药盒；{refused} 个被拒收（见列表）：{reason}</translation>
    </message>
    <message>
        <source>1 kit imported from {name}.</source>
        <translation>已从 {name} 导入 1 个药盒。</translation>
    </message>
    <message>
        <source>{count} kits imported from {name}.</source>
        <translation>已从 {name} 导入 {count} 个药盒。</translation>
    </message>
    <message>
        <source>{imported} {columns}</source>
        <translation>{imported}{columns}</translation>
    </message>
    <message>
        <source>The manifest gives kit {kits} as damaged: it is received into quarantine (see the list).</source>
        <translation>装箱单写明药盒 {kits} 破损：接收后即隔离（见列表）。</translation>
    </message>
    <message>
        <source>The manifest gives kits {kits} as damaged: they are received into quarantine (see the list).</source>
        <translation>装箱单写明药盒 {kits} 破损：接收后即隔离（见列表）。</translation>
    </message>
    <message>
        <source>Select the kit that arrived damaged in the list (a kit scanned is selected as it is added), then press Mark damaged.</source>
        <translation>请在列表中选中到货时破损的药盒（扫描的药盒加入时即被选中），再按“标为破损”。</translation>
    </message>
    <message>
        <source>The manifest gives kit {kit} as damaged ({condition}): it is received into quarantine, as the manifest says.</source>
        <translation>装箱单写明药盒 {kit} 破损（{condition}）：按装箱单所写，接收后即隔离。</translation>
    </message>
    <message>
        <source>Kit {kit} marked damaged: it will be received into quarantine until the sponsor decides.</source>
        <translation>药盒 {kit} 已标为破损：接收后即隔离，等待申办方决定。</translation>
    </message>
    <message>
        <source>Kit {kit} no longer marked damaged.</source>
        <translation>药盒 {kit} 已取消破损标记。</translation>
    </message>
    <message>
        <source>Kit {number} taken off the list.</source>
        <translation>药盒 {number} 已从列表中移除。</translation>
    </message>
    <message>
        <source>Kits to receive: 0</source>
        <translation>待接收药盒：0</translation>
    </message>
    <message>
        <source>Kits to receive: {kits} ({tablets} tablets)</source>
        <translation>待接收药盒：{kits}（共 {tablets} 片）</translation>
    </message>
    <message>
        <source>Kits to receive: {kits} ({units})</source>
        <translation>待接收药盒：{kits}（共 {units}）</translation>
    </message>
    <message>
        <source>; {refused} refused</source>
        <translation>；{refused} 个被拒收</translation>
    </message>
    <message>
        <source>; scanned {scanned} of {listed} of the manifest</source>
        <translation>；装箱单已扫描 {scanned} / {listed}</translation>
    </message>
    <message>
        <source>; {damaged} damaged, into quarantine</source>
        <translation>；{damaged} 个破损，进入隔离</translation>
    </message>
    <message>
        <source> — into quarantine (temperature record not acceptable)</source>
        <translation> — 进入隔离（温度记录不合格）</translation>
    </message>
    <message>
        <source> — into quarantine (temperature excursion on record)</source>
        <translation> — 进入隔离（已记录温度超标）</translation>
    </message>
    <message>
        <source>Scan the kits of the shipment first.</source>
        <translation>请先扫描本货件的药盒。</translation>
    </message>
    <message>
        <source>The kit labels printed are still to be recorded: press Record the print once the database is back.</source>
        <translation>已打印的药盒标签仍待记录：数据库恢复后请按“记录此次打印”。</translation>
    </message>
    <message>
        <source>Re&amp;cord the print</source>
        <translation>记录此次打印(&amp;C)</translation>
    </message>
    <message>
        <source>Date received</source>
        <translation>接收日期</translation>
    </message>
    <message>
        <source> ({lines} line refused: see the list)</source>
        <translation>（{lines} 行被拒收：见列表）</translation>
    </message>
    <message>
        <source> ({lines} lines refused: see the list)</source>
        <translation>（{lines} 行被拒收：见列表）</translation>
    </message>
    <message>
        <source>Not received: {reason}</source>
        <translation>未接收：{reason}</translation>
    </message>
    <message>
        <source>{received} {warning}</source>
        <translation>{received}{warning}</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>Recorded missing from the shipment (not received): {kits}. Tell the sponsor.</source>
        <translation>已记录为货件缺少（未接收）：{kits}。请告知申办方。</translation>
    </message>
    <message>
        <source>Not received yet: scan the kits of the manifest not yet checked off: {kits}.</source>
        <translation>尚未接收：请扫描装箱单中尚未核对的药盒：{kits}。</translation>
    </message>
    <message>
        <source>Kit labels not recorded: {why}</source>
        <translation>药盒标签的打印未记录：{why}</translation>
    </message>
    <message>
        <source>Kit labels print recorded.</source>
        <translation>药盒标签的打印已记录。</translation>
    </message>
</context>
<context>
    <name>ReturnScreen</name>
    <message>
        <source>to count</source>
        <translation>待清点</translation>
    </message>
    <message>
        <source>not brought back</source>
        <translation>未带回</translation>
    </message>
    <message>
        <source>Kit</source>
        <translation>药盒</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>药品</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation>批号</translation>
    </message>
    <message>
        <source>Dispensed</source>
        <translation>发放片数</translation>
    </message>
    <message>
        <source>Dispensed</source>
        <comment>a count in its word</comment>
        <translation>发放数量</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>退药</translation>
    </message>
    <message>
        <source>Start the next return?</source>
        <translation>开始下一笔退药？</translation>
    </message>
    <message>
        <source>What is typed for this return is not signed: the next return starts with an empty form, and it is lost.</source>
        <translation>本次退药已填写的内容尚未签名：下一笔退药从空白表单开始，这些内容将丢失。</translation>
    </message>
    <message>
        <source>&amp;Empty the form</source>
        <translation>清空表单(&amp;E)</translation>
    </message>
    <message>
        <source>Record a return</source>
        <translation>登记退药</translation>
    </message>
    <message>
        <source>Scan the dispensing label, or a kit, or type the participant number</source>
        <translation>扫描发放标签或药盒，或输入受试者编号</translation>
    </message>
    <message>
        <source>&amp;Scan</source>
        <translation>扫描(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Kit</source>
        <translation>药盒(&amp;K)</translation>
    </message>
    <message>
        <source>Tablets in the bottle, counted</source>
        <translation>清点瓶内剩余片数</translation>
    </message>
    <message>
        <source>Not brought back (0 tablets; flagged, not counted as taken)</source>
        <translation>未带回（计 0 片；予以标记，不计为已服用）</translation>
    </message>
    <message>
        <source>Held for a &amp;period the investigator ordered</source>
        <translation>研究者指示的暂停用药期间(&amp;P)</translation>
    </message>
    <message>
        <source>Held &amp;until</source>
        <translation>暂停截止(&amp;U)</translation>
    </message>
    <message>
        <source>The investigator who ordered the hold</source>
        <translation>下达暂停医嘱的研究者</translation>
    </message>
    <message>
        <source>Hold ordered &amp;by</source>
        <translation>暂停医嘱人(&amp;B)</translation>
    </message>
    <message>
        <source>Return &amp;date</source>
        <translation>退药日期(&amp;D)</translation>
    </message>
    <message>
        <source>e.g. bottle intact</source>
        <translation>例如：药瓶完好</translation>
    </message>
    <message>
        <source>Co&amp;ndition</source>
        <translation>包装状况(&amp;N)</translation>
    </message>
    <message>
        <source>e.g. missed 2 doses (vomiting)</source>
        <translation>例如：漏服 2 次（呕吐）</translation>
    </message>
    <message>
        <source>Anything the participant said about missed or extra doses</source>
        <translation>受试者所述漏服或多服的情况</translation>
    </message>
    <message>
        <source>N&amp;ote</source>
        <translation>备注(&amp;O)</translation>
    </message>
    <message>
        <source>Ne&amp;xt return (Esc)</source>
        <translation>下一笔退药(&amp;X)（Esc）</translation>
    </message>
    <message>
        <source>S&amp;ign return count</source>
        <translation>签名确认退药清点(&amp;I)</translation>
    </message>
    <message>
        <source>Ctrl+Enter, or Enter in the tablets field</source>
        <translation>Ctrl+Enter，或在片数栏中按 Enter</translation>
    </message>
    <message>
        <source>Ctrl+Enter, or Enter in the count field</source>
        <translation>Ctrl+Enter，或在数量栏中按 Enter</translation>
    </message>
    <message>
        <source>&amp;Reason for the flag</source>
        <translation>标记原因(&amp;R)</translation>
    </message>
    <message>
        <source>Save re&amp;ason</source>
        <translation>保存原因(&amp;A)</translation>
    </message>
    <message>
        <source>Nothing was saved: the study file of {protocol} was updated after this screen was opened. The screen read it again (version {version}) and checked the return again as it was typed: check it before signing.</source>
        <translation>未保存任何内容：{protocol} 的研究文件在本界面打开后已更新。本界面已重新载入该文件（第 {version} 版），并按已输入的内容重新检查了本次退药：请核对后再签名。</translation>
    </message>
    <message>
        <source>To open that return, press Esc, then scan the kit again.</source>
        <translation>要打开那次退药，请按 Esc，然后再次扫描该药盒。</translation>
    </message>
    <message>
        <source>&lt;span class=&apos;big&apos;&gt;&lt;b&gt;{participant}&lt;/b&gt; &amp;nbsp; {initials}&lt;/span&gt; &amp;nbsp; cycle &lt;b&gt;{cycle}&lt;/b&gt; · {number}</source>
        <translation>&lt;span class=&apos;big&apos;&gt;&lt;b&gt;{participant}&lt;/b&gt; &amp;nbsp; {initials}&lt;/span&gt; &amp;nbsp; 第&lt;b&gt;{cycle}&lt;/b&gt;周期 · {number}</translation>
    </message>
    <message>
        <source>Day 1 {day1} · {days} days to {last_day}</source>
        <translation>第1天 {day1} · {days} 天，用至 {last_day}</translation>
    </message>
    <message>
        <source>days held by the investigator</source>
        <translation>研究者暂停用药天数</translation>
    </message>
    <message>
        <source>Every kit of {dispense} is already counted back. To change a count, open {participant} under Participants, select cycle {cycle} in the history and choose Correct return count...</source>
        <translation>发放记录 {dispense} 的所有药盒均已清点退回。如需修改清点数，请在“受试者”中打开 {participant}，在发放记录中选择第 {cycle} 周期，然后点击“更正退药清点数...”。</translation>
    </message>
    <message>
        <source>Kit {kit}: {dispensed} dispensed · not brought back</source>
        <translation>药盒 {kit}：发放 {dispensed} 片 · 未带回</translation>
    </message>
    <message>
        <source>Kit {kit}: {units} dispensed · not brought back</source>
        <translation>药盒 {kit}：发放 {units} · 未带回</translation>
    </message>
    <message>
        <source>Type the number of {units} counted back.</source>
        <translation>请输入清点退回的{units}数。</translation>
    </message>
    <message>
        <source>Return of kit {kit} from {participant} cycle {cycle} ({number}): not brought back, {held} day held.</source>
        <translation>退药：{participant} 第 {cycle} 周期（{number}）的药盒 {kit}：未带回，暂停用药 {held} 天。</translation>
    </message>
    <message>
        <source>Return of kit {kit} from {participant} cycle {cycle} ({number}): not brought back, {held} days held.</source>
        <translation>退药：{participant} 第 {cycle} 周期（{number}）的药盒 {kit}：未带回，暂停用药 {held} 天。</translation>
    </message>
    <message>
        <source>Return of kit {kit} from {participant} cycle {cycle} ({number}): {counted} counted, {held} day held.</source>
        <translation>退药：{participant} 第 {cycle} 周期（{number}）的药盒 {kit}：清点 {counted}，暂停用药 {held} 天。</translation>
    </message>
    <message>
        <source>Return of kit {kit} from {participant} cycle {cycle} ({number}): {counted} counted, {held} days held.</source>
        <translation>退药：{participant} 第 {cycle} 周期（{number}）的药盒 {kit}：清点 {counted}，暂停用药 {held} 天。</translation>
    </message>
    <message>
        <source>{units} &amp;counted</source>
        <translation>清点{units}数(&amp;C)</translation>
    </message>
    <message>
        <source>Quantity &amp;counted</source>
        <translation>清点数量(&amp;C)</translation>
    </message>
    <message>
        <source>{units} in the bottle, counted</source>
        <translation>清点瓶内剩余{units}数</translation>
    </message>
    <message>
        <source>Quantity in the bottle, counted</source>
        <translation>清点瓶内剩余数量</translation>
    </message>
    <message>
        <source>Not brought back ({none}; flagged, not counted as taken)</source>
        <translation>未带回（计 {none}；予以标记，不计为已服用）</translation>
    </message>
    <message>
        <source>Not brought back (counted as 0; flagged, not counted as taken)</source>
        <translation>未带回（计 0；予以标记，不计为已服用）</translation>
    </message>
    <message>
        <source>number of {units} returned</source>
        <translation>退回{units}数</translation>
    </message>
    <message>
        <source>{dose} · {tablets} tablets dispensed on {date} by {initials}</source>
        <translation>{dose} · {date} 由 {initials} 发放 {tablets} 片</translation>
    </message>
    <message>
        <source>{kit} ({dispensed} dispensed)</source>
        <translation>{kit}（发放 {dispensed} 片）</translation>
    </message>
    <message>
        <source>Tablets &amp;counted</source>
        <translation>清点片数(&amp;C)</translation>
    </message>
    <message>
        <source>0 when not held</source>
        <translation>未暂停用药填 0</translation>
    </message>
    <message>
        <source>Da&amp;ys held by the investigator</source>
        <translation>研究者暂停用药天数(&amp;Y)</translation>
    </message>
    <message>
        <source>Held fro&amp;m</source>
        <translation>暂停起始(&amp;M)</translation>
    </message>
    <message>
        <source>e.g. doses held by the investigator; vomited 2 doses</source>
        <translation>例如：研究者暂停用药；呕吐 2 次</translation>
    </message>
    <message>
        <source>Return date</source>
        <translation>退药日期</translation>
    </message>
    <message>
        <source>Held from</source>
        <translation>暂停起始日期</translation>
    </message>
    <message>
        <source>Held until</source>
        <translation>暂停截止日期</translation>
    </message>
    <message>
        <source>{kit} ({units} dispensed)</source>
        <translation>{kit}（发放 {units}）</translation>
    </message>
    <message>
        <source>Kit {kit}: {dispensed} dispensed</source>
        <translation>药盒 {kit}：发放 {dispensed} 片</translation>
    </message>
    <message>
        <source>Kit {kit}: {dispensed} dispensed · {returned} counted back · {taken} taken</source>
        <translation>药盒 {kit}：发放 {dispensed} 片 · 清点退回 {returned} 片 · 已服 {taken} 片</translation>
    </message>
    <message>
        <source>Kit {kit}: {units} dispensed</source>
        <translation>药盒 {kit}：发放 {units}</translation>
    </message>
    <message>
        <source>Kit {kit}: {units} dispensed · {back} counted back · {used} taken</source>
        <translation>药盒 {kit}：发放 {units} · 清点退回 {back} · 已服 {used}</translation>
    </message>
    <message>
        <source>Adherence is worked out when every kit is back: {left} kit still to count after this one.</source>
        <translation>所有药盒退回后才计算依从性：此盒之后还有 {left} 盒待清点。</translation>
    </message>
    <message>
        <source>Adherence is worked out when every kit is back: {left} kits still to count after this one.</source>
        <translation>所有药盒退回后才计算依从性：此盒之后还有 {left} 盒待清点。</translation>
    </message>
    <message>
        <source>{product}: expected &lt;b&gt;{expected}&lt;/b&gt; · taken &lt;b&gt;{taken}&lt;/b&gt; · adherence &lt;b&gt;{adherence}&lt;/b&gt;</source>
        <translation>{product}：应服 &lt;b&gt;{expected}&lt;/b&gt; · 已服 &lt;b&gt;{taken}&lt;/b&gt; · 依从性 &lt;b&gt;{adherence}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>{line} · {flags}</source>
        <translation>{line} · {flags}</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#8a1c13&apos;&gt;Ask the participant why.&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#8a1c13&apos;&gt;请询问受试者原因。&lt;/span&gt;</translation>
    </message>
    <message>
        <source>number of tablets returned</source>
        <translation>退回片数</translation>
    </message>
    <message>
        <source>Adherence is worked out when every kit is back: {left} kit still to count.</source>
        <translation>所有药盒退回后才计算依从性：还有 {left} 盒待清点。</translation>
    </message>
    <message>
        <source>Adherence is worked out when every kit is back: {left} kits still to count.</source>
        <translation>所有药盒退回后才计算依从性：还有 {left} 盒待清点。</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#8a1c13&apos;&gt;&lt;b&gt;{flags}&lt;/b&gt;&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#8a1c13&apos;&gt;&lt;b&gt;{flags}&lt;/b&gt;&lt;/span&gt;</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#8a1c13&apos;&gt;&lt;b&gt;{flags}&lt;/b&gt;: ask the participant why&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#8a1c13&apos;&gt;&lt;b&gt;{flags}&lt;/b&gt;：请询问受试者原因&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Expected &lt;b&gt;{expected}&lt;/b&gt; · taken &lt;b&gt;{taken}&lt;/b&gt; · adherence &lt;b&gt;{adherence}&lt;/b&gt;</source>
        <translation>应服 &lt;b&gt;{expected}&lt;/b&gt; 片 · 已服 &lt;b&gt;{taken}&lt;/b&gt; 片 · 依从性 &lt;b&gt;{adherence}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Scan the dispensing label first.</source>
        <translation>请先扫描发放标签。</translation>
    </message>
    <message>
        <source>Type the number of tablets counted back.</source>
        <translation>请输入清点退回的片数。</translation>
    </message>
    <message>
        <source>return counted</source>
        <translation>退药已清点</translation>
    </message>
    <message>
        <source>Not signed: nothing was saved.</source>
        <translation>未签名：未保存任何内容。</translation>
    </message>
    <message>
        <source>{dose} · {dispensed} dispensed on {date} by {initials}</source>
        <translation>{dose} · {date} 由 {initials} 发放 {dispensed}</translation>
    </message>
    <message>
        <source>{dispensed}, checked by {checker}</source>
        <translation>{dispensed}，核对人：{checker}</translation>
    </message>
    <message>
        <source>&lt;b&gt;{kit}&lt;/b&gt;: not brought back. {number}: {dispensed} dispensed, {returned} returned so far.</source>
        <translation>&lt;b&gt;{kit}&lt;/b&gt;：未带回。{number}：发放 {dispensed}，至今已退回 {returned}。</translation>
    </message>
    <message>
        <source>&lt;b&gt;{kit}&lt;/b&gt;: {back} tablets back. {number}: {dispensed} dispensed, {returned} returned so far.</source>
        <translation>&lt;b&gt;{kit}&lt;/b&gt;：退回 {back} 片。{number}：发放 {dispensed} 片，至今已退回 {returned} 片。</translation>
    </message>
    <message>
        <source>Return recorded.</source>
        <translation>退药已登记。</translation>
    </message>
    <message>
        <source>Flagged: ask the participant why, and record the reason below.</source>
        <translation>已标记：请询问受试者原因，并在下方登记。</translation>
    </message>
    <message>
        <source>Return recorded with your note as the reason for the flag.</source>
        <translation>退药已登记，您的备注已作为标记原因。</translation>
    </message>
    <message>
        <source>Reason recorded for {number}. Scan the next return.</source>
        <translation>已为 {number} 登记原因。请扫描下一笔退药。</translation>
    </message>
    <message>
        <source>&lt;b&gt;{kit}&lt;/b&gt;: {back} tablet back. {number}: {dispensed} dispensed, {returned} returned so far.</source>
        <translation>&lt;b&gt;{kit}&lt;/b&gt;：退回 {back} 片。{number}：发放 {dispensed} 片，至今已退回 {returned} 片。</translation>
    </message>
    <message>
        <source>&lt;b&gt;{kit}&lt;/b&gt;: {back} back. {number}: {dispensed} dispensed, {returned} returned so far.</source>
        <translation>&lt;b&gt;{kit}&lt;/b&gt;：退回 {back}。{number}：发放 {dispensed}，至今已退回 {returned}。</translation>
    </message>
    <message>
        <source>Scan the barcode on the dispensing label the participant brought back.</source>
        <translation>请扫描受试者带回的发放标签上的条码。</translation>
    </message>
</context>
<context>
    <name>Screen</name>
    <message>
        <source>Dispense</source>
        <translation>发放</translation>
    </message>
    <message>
        <source>Returns</source>
        <translation>退药</translation>
    </message>
    <message>
        <source>Receive</source>
        <translation>接收</translation>
    </message>
</context>
<context>
    <name>SignatureDialog</name>
    <message>
        <source>Electronic signature</source>
        <translation>电子签名</translation>
    </message>
    <message>
        <source>&lt;b&gt;{summary}&lt;/b&gt;&lt;br&gt;By signing, &lt;b&gt;{signer}&lt;/b&gt; confirms: &lt;b&gt;{meaning}&lt;/b&gt;.</source>
        <translation>&lt;b&gt;{summary}&lt;/b&gt;&lt;br&gt;&lt;b&gt;{signer}&lt;/b&gt; 签名即确认：&lt;b&gt;{meaning}&lt;/b&gt;。</translation>
    </message>
    <message>
        <source>{signer} types their own user name and password: a second signer signs with both.</source>
        <translation>请 {signer} 本人输入自己的用户名和密码：第二签名人须同时输入两者签名。</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>&amp;Sign</source>
        <translation>签名(&amp;S)</translation>
    </message>
</context>
<context>
    <name>StudyReadAgain</name>
    <message>
        <source>Nothing was saved: the study file of {protocol} was updated after this window read it, and the window could not read the study again.</source>
        <translation>未保存任何内容：{protocol} 的研究文件在本窗口读取后已更新，而本窗口无法重新读取该研究。</translation>
    </message>
    <message>
        <source>Nothing more can be done in {protocol} from this window: once an administrator gives you access to it again, press F5 and do this again.</source>
        <translation>本窗口无法再在 {protocol} 中进行任何操作：管理员重新为您开通该研究的访问权限后，请按 F5 再操作一次。</translation>
    </message>
    <message>
        <source>Close the window and tell the administrator: the study file now in force for {protocol} cannot be read at this workstation.</source>
        <translation>请关闭窗口并告知管理员：本工作站无法读取 {protocol} 现行的研究文件。</translation>
    </message>
    <message>
        <source>Close the window and sign in again; if {protocol} still cannot be opened, tell the administrator.</source>
        <translation>请关闭窗口并重新登录；如仍无法打开 {protocol}，请告知管理员。</translation>
    </message>
</context>
<context>
    <name>UnrecordedPrints</name>
    <message>
        <source>{print}, reprint</source>
        <translation>{print}（补打）</translation>
    </message>
    <message>
        <source>kit labels: {kits}</source>
        <translation>药盒标签：{kits}</translation>
    </message>
    <message>
        <source>{number} (participant {participant}, cycle {cycle})</source>
        <translation>{number}（受试者 {participant}，第 {cycle} 周期）</translation>
    </message>
    <message>
        <source>participant leaflet of dispense {dispense}</source>
        <translation>发放 {dispense} 的受试者说明单</translation>
    </message>
    <message>
        <source>dispensing label of dispense {dispense}</source>
        <translation>发放 {dispense} 的发放标签</translation>
    </message>
    <message>
        <source>Labels printed, not recorded</source>
        <translation>标签已打印，未记录</translation>
    </message>
    <message>
        <source>These labels were printed, but the database refused their record: the audit trail does not show them printed yet.</source>
        <translation>以下标签已打印，但数据库拒绝了打印记录：稽查轨迹中尚无此次打印。</translation>
    </message>
    <message>
        <source>Record them now (nothing is printed again). If you discard them, the audit trail shows that their print record was discarded, not that they were printed.</source>
        <translation>请现在记录（不会再次打印）。若放弃，稽查轨迹中只记录其打印记录已放弃，而不记录这些标签已打印。</translation>
    </message>
    <message>
        <source>&amp;Record now</source>
        <translation>立即记录(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Discard the record</source>
        <translation>放弃此记录(&amp;D)</translation>
    </message>
</context>
</TS>
