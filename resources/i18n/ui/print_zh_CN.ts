<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>LabelPrinters</name>
    <message>
        <source>The printer {printer} is not connected to this computer: check it is switched on and plugged in.</source>
        <translation>打印机 {printer} 未连接到这台电脑：请检查它已开机并接好线。</translation>
    </message>
    <message>
        <source>The printer {printer} is offline or reports an error: check it is switched on, with paper loaded and its cable in.</source>
        <translation>打印机 {printer} 离线或报告错误：请检查已开机、已装纸且连线已插好。</translation>
    </message>
    <message>
        <source>The label could not be read for printing.</source>
        <translation>无法读取标签以打印。</translation>
    </message>
    <message>
        <source>The printer {printer} did not take the label: check it is switched on, with paper loaded.</source>
        <translation>打印机 {printer} 未接收标签：请检查它已开机并已装纸。</translation>
    </message>
    <message>
        <source>The printer {printer} failed while printing: check it.</source>
        <translation>打印机 {printer} 打印时出错：请检查打印机。</translation>
    </message>
    <message>
        <source>Code in the study file and the command: {code}</source>
        <translation>研究文件和命令中的代码：{code}</translation>
    </message>
</context>
<context>
    <name>LabelPrintersDialog</name>
    <message>
        <source>Label printers</source>
        <translation>标签打印机</translation>
    </message>
    <message>
        <source>An administrator changes the printers of this workstation (Settings, Label printers); each change is kept in the audit trail.</source>
        <translation>本工作站的打印机由管理员更改（“设置”中的“标签打印机”）；每次更改均记入稽查轨迹。</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
</context>
<context>
    <name>LabelPrintersPanel</name>
    <message>
        <source>Choose the printer loaded with each label stock: the counter prints a signed dispense&apos;s label there at once, with no dialog. A stock with no printer is previewed, then printed through the print dialog.</source>
        <translation>为每种标签纸选择装有该标签纸的打印机：发放签名后，柜台立即在该打印机上打印标签，无需对话框。未指定打印机的标签纸先预览，再通过打印对话框打印。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Label stock&lt;/b&gt;</source>
        <translation>&lt;b&gt;标签纸&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Printer&lt;/b&gt;</source>
        <translation>&lt;b&gt;打印机&lt;/b&gt;</translation>
    </message>
    <message>
        <source>None: preview, then the print dialog</source>
        <translation>无：先预览，再用打印对话框</translation>
    </message>
    <message>
        <source>{stock} (&amp;{key})</source>
        <comment>a stock and the Alt key of its printer</comment>
        <translation>{stock}(&amp;{key})</translation>
    </message>
    <message>
        <source>{printer} (not connected)</source>
        <translation>{printer}（未连接）</translation>
    </message>
    <message>
        <source>Print calibration page (&amp;{key})</source>
        <comment>the Alt key of the row&apos;s button</comment>
        <translation>打印校准页(&amp;{key})</translation>
    </message>
    <message>
        <source>This computer has no printer installed: install the label printer&apos;s driver, then choose it here.</source>
        <translation>这台电脑未安装打印机：请安装标签打印机的驱动程序，然后在此选择。</translation>
    </message>
    <message>
        <source>The printer loaded with each label stock: the counter prints a signed dispense&apos;s label there at once, with no dialog. A stock with no printer is previewed, then printed through the print dialog.</source>
        <translation>每种标签纸所用的打印机：发放签名后，柜台立即在该打印机上打印标签，无需对话框。未指定打印机的标签纸先预览，再通过打印对话框打印。</translation>
    </message>
    <message>
        <source>This computer has no printer installed: ask an administrator to install the label printer&apos;s driver and choose it in Settings, Label printers. Until then each label is previewed, then printed through the print dialog.</source>
        <translation>这台电脑未安装打印机：请管理员安装标签打印机的驱动程序，并在“设置”中的“标签打印机”里选择。在此之前，每张标签先预览，再通过打印对话框打印。</translation>
    </message>
    <message>
        <source>Choose a printer for &quot;{stock}&quot; first.</source>
        <translation>请先为“{stock}”选择打印机。</translation>
    </message>
    <message>
        <source>The calibration page of &quot;{shown}&quot; went to {printer}. The corner marks should touch the label&apos;s corners; if not, measure the shift and save it: dispensary label calibrate --stock {stock} --dx MM --dy MM.</source>
        <translation>“{shown}”的校准页已发送到 {printer}。角标应与标签的四角对齐；如未对齐，请量出偏移并保存：dispensary label calibrate --stock {stock} --dx MM --dy MM。</translation>
    </message>
</context>
</TS>
